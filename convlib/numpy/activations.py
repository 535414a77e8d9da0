"""convlib.numpy: activations (being written)."""
__all__ = []
