"""convlib.torch: activations (being written)."""
__all__ = []
