"""Distributions defined as a base distribution pushed through transforms, as PyTorch defines
them: HalfNormal, HalfCauchy (|X|), Pareto (scale e^E), Gumbel (loc - scale log(-log U)),
Weibull (scale E^(1/k)) and LogisticNormal (stick-breaking of a Normal). Each adds the closed
forms (mean, variance, entropy, a direct log_prob where PyTorch has one)."""
import math

import numpy as np

from ..creation import full, zeros
from ..ops.elementwise import exp, log, where
from ..ops.gamma import lgamma
from . import constraints
from .continuous import Exponential, Uniform
from .heavy_tailed import Cauchy
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ExpTransform, PowerTransform,
                         StickBreakingTransform)
from .utils import broadcast_all

__all__ = ["HalfNormal", "HalfCauchy", "Pareto", "Gumbel", "Weibull", "LogisticNormal"]

_EULER = 0.57721566490153286061


class _ParamExpand:
    """`expand` for a transformed distribution whose own parameters must follow the new batch
    shape too (the transforms keep broadcasting against the old ones)."""

    def expand(self, batch_shape, _instance=None):
        new = TransformedDistribution.expand(self, batch_shape)
        for name in self._batch_params:
            new.__dict__[name] = self.__dict__[name].expand(tuple(batch_shape))
        return new


class _Half(_ParamExpand, TransformedDistribution):
    """|X| for X of a symmetric base with location 0: density doubled on [0, inf)."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _batch_params = ("scale",)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        lp = self.base_dist.log_prob(value) + math.log(2)
        return where(value.detach() >= 0, lp, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)

    @property
    def mode(self):
        return zeros(self._batch_shape, dtype=self.scale.dtype)


class HalfNormal(_Half):
    """|X| for X ~ Normal(0, scale).

    log p(x) = log 2 + Normal(0, scale).log_prob(x) for x >= 0;  mean scale sqrt(2 / pi).

    Shapes: scale: batch_shape;  event_shape = ()
    """

    def __init__(self, scale, validate_args=None):
        self.scale, = broadcast_all(scale)
        super().__init__(Normal(0.0 * self.scale, self.scale, validate_args=False),
                         AbsTransform(), validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale ** 2 * (1 - 2 / math.pi)


class HalfCauchy(_Half):
    """|X| for X ~ Cauchy(0, scale): infinite mean and variance.

    Shapes: scale: batch_shape;  event_shape = ()
    """

    def __init__(self, scale, validate_args=None):
        self.scale, = broadcast_all(scale)
        super().__init__(Cauchy(0.0 * self.scale, self.scale, validate_args=False),
                         AbsTransform(), validate_args=validate_args)

    @property
    def mean(self):
        return full(self._batch_shape, math.inf, dtype=self.scale.dtype)

    @property
    def variance(self):
        return full(self._batch_shape, math.inf, dtype=self.scale.dtype)


class Pareto(_ParamExpand, TransformedDistribution):
    """Pareto type I with minimum `scale` and tail index `alpha`: scale e^E, E ~ Exp(alpha).

    log p(x) = log(alpha) + alpha log(scale) - (alpha + 1) log(x) for x >= scale.

    Shapes: scale, alpha: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}
    has_rsample = True
    _batch_params = ("scale", "alpha")

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        super().__init__(Exponential(self.alpha, validate_args=False),
                         [ExpTransform(), AffineTransform(loc=0, scale=self.scale)],
                         validate_args=validate_args)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)
        return self.scale ** 2 * a / ((a - 1) ** 2 * (a - 2))

    def entropy(self):
        return log(self.scale / self.alpha) + (1 + self.alpha.reciprocal())


class Gumbel(_ParamExpand, TransformedDistribution):
    """Gumbel (type I extreme value) with location `loc` and scale `scale`.

    log p(x) = z - e^z - log(scale),  z = (loc - x) / scale;  x = loc - scale log(-log U).

    Shapes: loc, scale: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _batch_params = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        finfo = np.finfo(self.loc.dtype)
        base = Uniform(full(self.loc.shape, float(finfo.tiny), dtype=self.loc.dtype),
                       full(self.loc.shape, 1 - float(finfo.eps), dtype=self.loc.dtype),
                       validate_args=False)
        super().__init__(base, [ExpTransform().inv, AffineTransform(loc=0, scale=-1.0),
                                ExpTransform().inv, AffineTransform(loc=self.loc,
                                                                    scale=-self.scale)],
                         validate_args=validate_args)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (self.loc - value) / self.scale
        return (z - exp(z)) - log(self.scale)

    @property
    def mean(self):
        return self.loc + self.scale * _EULER

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev ** 2

    def entropy(self):
        return log(self.scale) + (1 + _EULER)


class Weibull(_ParamExpand, TransformedDistribution):
    """Weibull with `scale` (lambda) and shape `concentration` (k): lambda E^(1/k), E ~ Exp(1).

    log p(x) = log(k / lambda) + (k - 1) log(x / lambda) - (x / lambda)^k.

    Shapes: scale, concentration: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive
    has_rsample = True
    _batch_params = ("scale", "concentration")

    def __init__(self, scale, concentration, validate_args=None):
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        super().__init__(Exponential(self.scale * 0.0 + 1.0, validate_args=False),
                         [PowerTransform(exponent=self.concentration_reciprocal),
                          AffineTransform(loc=0, scale=self.scale)],
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * exp(lgamma(1 + self.concentration_reciprocal))

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k) ** k.reciprocal()

    @property
    def variance(self):
        r = self.concentration_reciprocal
        return self.scale ** 2 * (exp(lgamma(1 + 2 * r)) - exp(2 * lgamma(1 + r)))

    def entropy(self):
        r = self.concentration_reciprocal
        return _EULER * (1 - r) + log(self.scale * r) + 1


class LogisticNormal(TransformedDistribution):
    """The stick-breaking image of Normal(loc, scale) on the simplex (K - 1 normals -> K
    probabilities).

    Shapes: loc, scale: (*batch_shape, K - 1)  ->  event_shape = (K,)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale

    def __repr__(self):
        return f"LogisticNormal(loc: {tuple(self.loc.shape)}, scale: {tuple(self.scale.shape)})"


