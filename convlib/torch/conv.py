"""convlib.torch: conv (being written)."""
__all__ = []
