"""Uniform, Exponential and Laplace: closed-form densities, cdfs and inverse cdfs."""
import math

import numpy as np

from ..creation import as_tensor
from ..ops.elementwise import abs, clamp, exp, expm1, log, log1p, sign, where
from ..random import _generator
from ..tensor import _make
from . import constraints
from .distribution import Distribution, LocationScale
from .utils import broadcast_all, data, uniform

__all__ = ["Uniform", "Exponential", "Laplace"]


class Uniform(Distribution):
    """Uniform on the half-open interval [low, high).

    log p(x) = -log(high - low) inside, -inf outside;  rsample: low + u (high - low).

    Shapes: low, high: broadcast to batch_shape;  event_shape = ()
    """

    has_rsample = True
    _batch_params = ("low", "high")

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.interval(self.low, self.high)

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.high * np.nan

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = uniform(shape, 0.0, 1.0, self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        self._check_value(value)
        inside = (data(self.low) <= data(value)) & (data(value) < data(self.high))
        return where(as_tensor(inside), -log(self.high - self.low), -math.inf)

    def cdf(self, value):
        self._check_value(value)
        return clamp((value - self.low) / (self.high - self.low), 0.0, 1.0)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return log(self.high - self.low)


class Exponential(Distribution):
    """Exponential with `rate` (mean 1 / rate).

    log p(x) = log(rate) - rate x;  rsample: E / rate, E ~ Exp(1).

    Shapes: rate: batch_shape;  event_shape = ()
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _batch_params = ("rate",)

    def __init__(self, rate, validate_args=None):
        self.rate, = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return self.rate * 0.0

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate ** -2

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        e = _make(_generator().exponential(shape, 1.0).astype(self.rate.dtype), None)
        return e / self.rate

    def log_prob(self, value):
        self._check_value(value)
        return log(self.rate) - self.rate * value

    def cdf(self, value):
        self._check_value(value)
        return 1 - exp(-self.rate * value)

    def icdf(self, value):
        return -log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - log(self.rate)


class Laplace(LocationScale):
    """Laplace (double exponential) with location `loc` and scale `scale`.

    log p(x) = -log(2 scale) - |x - loc| / scale;  rsample by the inverse cdf.

    Shapes: loc, scale: broadcast to batch_shape;  event_shape = ()
    """

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale ** 2

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = float(np.finfo(self.loc.dtype).eps)
        # NOTE: u in (eps - 1, 1), as PyTorch draws it, keeps log1p(-|u|) finite.
        u = uniform(shape, eps - 1, 1, self.loc.dtype)
        return self.loc - self.scale * sign(u) * log1p(-abs(u))

    def log_prob(self, value):
        self._check_value(value)
        return -log(2 * self.scale) - abs(value - self.loc) / self.scale

    def cdf(self, value):
        self._check_value(value)
        z = value - self.loc
        return 0.5 - 0.5 * sign(z) * expm1(-abs(z) / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * sign(term) * log1p(-2 * abs(term))

    def entropy(self):
        return 1 + log(2 * self.scale)


