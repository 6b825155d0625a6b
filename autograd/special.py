"""`autograd.special`: PyTorch's `torch.special` names, most of them the same functions the
package exposes at the top level, plus the normal-distribution helpers (`ndtr`, `ndtri`,
`log_ndtr`) and `entr`, composed from differentiable ops."""
import math

from .ops.elementwise import erf, exp2, expm1, log, log1p, round, sigmoid, where
from .ops.nn import log_softmax, softmax
from .ops.reduce import logsumexp
from .ops.special import erfc, erfinv, i0, logit, sinc, xlogy
from .tensor import Tensor

__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "xlogy", "i0", "sinc", "expm1", "exp2",
           "log1p", "log_softmax", "softmax", "logsumexp", "round", "entr", "ndtr", "ndtri",
           "log_ndtr"]

expit = sigmoid
_SQRT_HALF = math.sqrt(0.5)


def entr(input):
    """Elementwise entropy term: -x log x for x > 0, 0 at 0, -inf for x < 0."""
    x = input if isinstance(input, Tensor) else Tensor(input)
    safe = where(x > 0, x, x.new_ones(()))
    terms = -(x * log(safe))
    return where(x > 0, terms, where(x == 0, x * 0, x.new_full((), -math.inf)))


def ndtr(input):
    """The standard normal CDF, 0.5 * erfc(-x / sqrt(2)) (accurate in the lower tail)."""
    return erfc(input * -_SQRT_HALF) * 0.5


def ndtri(input):
    """The inverse of `ndtr`: sqrt(2) * erfinv(2p - 1)."""
    return erfinv(input * 2 - 1) * math.sqrt(2.0)


def log_ndtr(input):
    """log(ndtr(x)), from erfc so the lower tail does not round to log(0) until about -38."""
    return log(ndtr(input))
