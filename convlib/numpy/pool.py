"""convlib.numpy: pool (being written)."""
__all__ = []
