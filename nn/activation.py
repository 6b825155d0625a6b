"""Activation modules: thin stateful wrappers over `nn.functional` (PReLU holds a parameter)."""
import autograd

from . import functional as F
from .module import Module
from .parameter import Parameter

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
           "Softplus", "Softsign", "Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Hardswish",
           "LogSigmoid", "Tanhshrink", "Softshrink", "Hardshrink", "Threshold", "GLU",
           "Softmax", "LogSoftmax", "Softmin"]


class _Inplace(Module):
    """An activation with PyTorch's `inplace` flag (accepted; results are always new tensors)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """max(0, x).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return autograd.relu(input)


class ReLU6(_Inplace):
    """min(max(0, x), 6).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.relu6(input)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope * x.   Shapes: (*) -> (*)"""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                         else "")


class PReLU(Module):
    """x if x > 0 else a * x with a learned slope `a`: one shared (num_parameters=1) or one per
    channel (dim 1), initialised to `init`.

    Shapes: (N, C, *) or (*) -> same
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(autograd.full((num_parameters,), init, dtype=dtype))

    def reset_parameters(self):
        self.weight._data[...] = self.init

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x if x > 0 else alpha * (exp(x) - 1).   Shapes: (*) -> (*)"""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_Inplace):
    """scale * elu(x, alpha) with the self-normalising constants.   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.selu(input)


class CELU(Module):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).   Shapes: (*) -> (*)"""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x * Phi(x); `approximate='tanh'` uses the tanh approximation.   Shapes: (*) -> (*)"""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(_Inplace):
    """x * sigmoid(x) (Swish).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.silu(input)


class Mish(_Inplace):
    """x * tanh(softplus(x)).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.mish(input)


class Softplus(Module):
    """log(1 + exp(beta x)) / beta (x where beta x > threshold).   Shapes: (*) -> (*)"""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """x / (1 + |x|).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.softsign(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x)).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return autograd.sigmoid(input)


class Tanh(Module):
    """tanh(x).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return autograd.tanh(input)


class Hardtanh(Module):
    """clamp(x, min_val, max_val).   Shapes: (*) -> (*)"""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError("min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class Hardsigmoid(_Inplace):
    """clamp(x / 6 + 1/2, 0, 1).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.hardsigmoid(input)


class Hardswish(_Inplace):
    """x * hardsigmoid(x).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.hardswish(input)


class LogSigmoid(Module):
    """log(sigmoid(x)), stable for large |x|.   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.logsigmoid(input)


class Tanhshrink(Module):
    """x - tanh(x).   Shapes: (*) -> (*)"""

    def forward(self, input):
        return F.tanhshrink(input)


class Softshrink(Module):
    """x - lambd, x + lambd or 0 (soft thresholding).   Shapes: (*) -> (*)"""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Module):
    """x where |x| > lambd, else 0.   Shapes: (*) -> (*)"""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Threshold(Module):
    """x where x > threshold, else value.   Shapes: (*) -> (*)"""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class GLU(Module):
    """a * sigmoid(b), a and b the halves of the input along `dim`.

    Shapes: (*, 2M, *) -> (*, M, *)
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along `dim`.   Shapes: (*) -> (*)"""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x - logsumexp(x) along `dim`.   Shapes: (*) -> (*)"""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Module):
    """softmax(-x) along `dim`.   Shapes: (*) -> (*)"""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


__all__ += ["RReLU"]


class RReLU(Module):
    """Randomised leaky ReLU: x if x > 0 else a * x, with a ~ U(lower, upper) drawn per element
    in training and a = (lower + upper) / 2 in eval.   Shapes: (*) -> (*)

    Example:
        >>> act = nn.RReLU(0.1, 0.3)
        >>> act.eval(); act(autograd.tensor([-1.0, 2.0]))   # tensor([-0.2, 2.0])
    """

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace
                                                            else "")
