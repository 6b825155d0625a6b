"""`nn.utils.stateless`: `functional_call`, the same function as `torch.func.functional_call`."""
from autograd.func import functional_call

__all__ = ["functional_call"]
