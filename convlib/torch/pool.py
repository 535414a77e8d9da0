"""convlib.torch: pool (being written)."""
__all__ = []
