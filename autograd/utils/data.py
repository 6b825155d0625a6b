"""`autograd.data` under the name PyTorch scripts import it by (`torch.utils.data`)."""
from ..data import *  # noqa: F401,F403
from ..data import __all__  # noqa: F401
