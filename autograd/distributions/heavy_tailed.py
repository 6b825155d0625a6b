"""Cauchy and StudentT: the heavy-tailed location-scale families."""
import math

from ..creation import full
from ..ops.elementwise import log, log1p, where
from ..ops.gamma import digamma, lgamma
from ..random import _generator
from ..tensor import _make
from . import constraints
from .distribution import Distribution, LocationScale
from .utils import broadcast_all, standard_normal

__all__ = ["Cauchy", "StudentT"]


class Cauchy(LocationScale):
    """Cauchy (Lorentz) with location `loc` and half-width `scale`.

    log p(x) = -log(pi scale) - log(1 + ((x - loc) / scale)^2);  cdf = atan(z) / pi + 1/2.
    Mean undefined (nan), variance infinite.

    Shapes: loc, scale: broadcast to batch_shape;  event_shape = ()
    """

    @property
    def mean(self):
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def variance(self):
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = _make(_generator().cauchy(shape, 0.0, 1.0).astype(self.loc.dtype), None)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._check_value(value)
        return -math.log(math.pi) - log(self.scale) - log1p(((value - self.loc) / self.scale) ** 2)

    def cdf(self, value):
        self._check_value(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + log(self.scale)


class StudentT(Distribution):
    """Student's t with `df` degrees of freedom, location `loc` and scale `scale`.

    log p(x) = -(df + 1)/2 log(1 + y^2 / df) - log(scale) - log(df)/2 - log(pi)/2
               - lgamma(df/2) + lgamma((df + 1)/2),   y = (x - loc) / scale.
    rsample: loc + scale * X / sqrt(Z / df), X ~ N(0, 1), Z ~ Chi2(df) (reparameterised).

    Shapes: df, loc, scale: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _batch_params = ("df", "loc", "scale")

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        super().__init__(self.df.shape, validate_args=validate_args)

    @property
    def mean(self):
        return where(self.df.detach() > 1, self.loc, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        safe = where(df.detach() > 2, df, 3.0)
        var = self.scale ** 2 * safe / (safe - 2)
        var = where(df.detach() > 2, var, math.inf)
        return where(df.detach() > 1, var, math.nan)

    def rsample(self, sample_shape=()):
        from .gamma import Chi2
        shape = self._extended_shape(sample_shape)
        x = standard_normal(shape, self.df.dtype)
        chi2 = Chi2(self.df, validate_args=False)
        z = chi2.rsample(sample_shape) if chi2.has_rsample else chi2.sample(sample_shape)
        return self.loc + self.scale * x * (z / self.df).rsqrt()

    def log_prob(self, value):
        self._check_value(value)
        df = self.df
        y = (value - self.loc) / self.scale
        z = log(self.scale) + 0.5 * log(df) + 0.5 * math.log(math.pi) + lgamma(0.5 * df) \
            - lgamma(0.5 * (df + 1.0))
        return -0.5 * (df + 1.0) * log1p(y ** 2 / df) - z

    def entropy(self):
        df = self.df
        lbeta = lgamma(0.5 * df) + math.lgamma(0.5) - lgamma(0.5 * (df + 1))
        return log(self.scale) + 0.5 * (df + 1) * (digamma(0.5 * (df + 1)) - digamma(0.5 * df)) \
            + 0.5 * log(df) + lbeta

