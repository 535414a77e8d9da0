"""convlib.numpy: linear (being written)."""
__all__ = []
