"""`autograd.utils.data`, where PyTorch scripts look for `DataLoader` (`torch.utils.data`)."""
from . import data

__all__ = ["data"]
