"""convlib.torch: linear (being written)."""
__all__ = []
