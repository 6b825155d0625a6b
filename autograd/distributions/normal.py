"""Normal and LogNormal."""
import math

from ..ops.elementwise import erf, exp, expm1, log
from . import constraints
from ..ops.special import erfinv
from .distribution import LocationScale
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform
from .utils import standard_normal

__all__ = ["Normal", "LogNormal"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


class Normal(LocationScale):
    """Normal (Gaussian) with mean `loc` and standard deviation `scale`.

    log p(x) = -(x - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi)).
    rsample: loc + scale * eps, eps ~ N(0, 1).

    Shapes: loc, scale: broadcast to batch_shape;  event_shape = ()

    Example:
        >>> m = Normal(torch.tensor([0.0]), torch.tensor([1.0]))
        >>> x = m.rsample((5,))          # (5, 1), differentiable in loc and scale
        >>> m.log_prob(x).sum().backward()
    """

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._check_value(value)
        return -((value - self.loc) ** 2) / (2 * self.variance) - log(self.scale) \
            - _LOG_SQRT_2PI

    def cdf(self, value):
        self._check_value(value)
        return 0.5 * (1 + erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + _LOG_SQRT_2PI + log(self.scale)


class LogNormal(TransformedDistribution):
    """exp(X) for X ~ Normal(loc, scale): TransformedDistribution(Normal, ExpTransform), as in
    PyTorch.

    log p(y) = Normal.log_prob(log y) - log y;  mean = exp(loc + scale^2 / 2).

    Shapes: loc, scale: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.base_dist = self.base_dist.expand(batch_shape)
        new._batch_shape = tuple(batch_shape)
        return new

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return exp(self.loc + self.scale ** 2 / 2)

    @property
    def mode(self):
        return exp(self.loc - self.scale ** 2)

    @property
    def variance(self):
        s2 = self.scale ** 2
        return expm1(s2) * exp(2 * self.loc + s2)

    def entropy(self):
        return self.base_dist.entropy() + self.loc

    def __repr__(self):
        return f"LogNormal(loc: {self._fmt(self.loc)}, scale: {self._fmt(self.scale)})"

    @staticmethod
    def _fmt(t):
        return t.item() if t.numel() == 1 else tuple(t.shape)
