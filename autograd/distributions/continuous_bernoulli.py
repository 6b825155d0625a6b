"""ContinuousBernoulli (Loaiza-Ganem and Cunningham, 2019): the density on [0, 1]
proportional to p^x (1 - p)^(1 - x)."""
import math

from ..creation import as_tensor
from ..ops.elementwise import abs, log, log1p, where
from . import constraints
from .distribution import Distribution
from .utils import (broadcast_all, clamp_probs, data, lazy_property, logits_to_probs,
                    probs_to_logits, softplus, uniform)

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(Distribution):
    """p(x) = C(p) p^x (1 - p)^(1 - x) on [0, 1], C(p) = 2 atanh(1 - 2p) / (1 - 2p).

    Near p = 1/2 the closed forms divide 0 by 0, so inside `lims` they are replaced by their
    Taylor expansions in (p - 1/2), as PyTorch does. rsample by the inverse cdf.

    Shapes: probs or logits: batch_shape;  event_shape = ()
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True
    _batch_params = ("probs", "logits", "_param")

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.probs, = broadcast_all(probs)
            if validate_args is not False and not constraints.unit_interval.check(
                    self.probs).all():
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            self.logits, = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        self._lims = lims
        super().__init__(self._param.shape, validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        return self._param.shape

    def _outside_unstable_region(self):
        p = data(self.probs)
        return as_tensor((p <= self._lims[0]) | (p >= self._lims[1]))

    def _cut_probs(self):
        return where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _cont_bern_log_norm(self):
        """log C(p)."""
        cut = self._cut_probs()
        below = where(cut.detach() <= 0.5, cut, 0.0)
        above = where(cut.detach() >= 0.5, cut, 1.0)
        log_norm = log(abs(log1p(-cut) - log(cut))) - where(
            cut.detach() <= 0.5, log1p(-2.0 * below), log(2.0 * above - 1.0))
        x = (self.probs - 0.5) ** 2
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / (log1p(-cut) - log(cut))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x ** 2) * x
        return where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return self.variance.sqrt()

    @property
    def variance(self):
        cut = self._cut_probs()
        var = cut * (cut - 1.0) / (1.0 - 2.0 * cut) ** 2 + 1.0 / (log1p(-cut) - log(cut)) ** 2
        x = (self.probs - 0.5) ** 2
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return where(self._outside_unstable_region(), var, taylor)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        u = uniform(shape, 0.0, 1.0, self.probs.dtype)
        return self.icdf(u)

    def log_prob(self, value):
        self._check_value(value)
        logits, value = broadcast_all(self.logits, value)
        return value * logits - softplus(logits) + self._cont_bern_log_norm()

    def cdf(self, value):
        self._check_value(value)
        cut = self._cut_probs()
        cdfs = (cut ** value * (1.0 - cut) ** (1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = where(self._outside_unstable_region(), cdfs, value)
        v = value.detach()
        return where(v <= 0.0, 0.0, where(v >= 1.0, 1.0, unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        inv = (log1p(-cut + value * (2.0 * cut - 1.0)) - log1p(-cut)) \
            / (log(cut) - log1p(-cut))
        return where(self._outside_unstable_region(), inv, value)

    def entropy(self):
        log_p0, log_p1 = log1p(-self.probs), log(self.probs)
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0
