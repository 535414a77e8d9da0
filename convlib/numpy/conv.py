"""convlib.numpy: conv (being written)."""
__all__ = []
