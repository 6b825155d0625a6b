"""Count distributions: Geometric, NegativeBinomial and Multinomial.

Each takes `probs` or `logits` (exactly one; the other is derived lazily), like Bernoulli.
"""
import numpy as np

from ..creation import as_tensor
from ..ops.elementwise import log, log1p, where
from ..ops.gamma import lgamma
from ..ops.nn import logsigmoid
from ..random import _generator, _rng
from ..tensor import _make
from . import constraints
from .discrete import BinaryParams, Categorical
from .distribution import Distribution
from .utils import (broadcast_all, data, draw, softplus)

__all__ = ["Geometric", "NegativeBinomial", "Multinomial"]


class Geometric(BinaryParams, Distribution):
    """Number of failures before the first success in Bernoulli(probs) trials.

    log p(k) = k log(1 - p) + log p;  mean 1/p - 1;  entropy = BCE(logits, p) / p.

    Shapes: probs or logits: batch_shape;  event_shape = ()
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer
    _batch_params = ("probs", "logits", "_param")

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._set_binary_params(probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)
        if self._validate_args and probs is not None and not (data(self.probs) > 0).all():
            raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                             f"{tuple(self.probs.shape)}) of distribution {self!r} to be "
                             f"positive but found invalid values:\n{self.probs}")

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return self.probs * 0.0

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        dt = self._param.dtype
        u = _generator().uniform(shape, np.finfo(dt).tiny, 1.0, dt)
        return _make(np.floor(np.log(u) / np.log1p(-data(self.probs))).astype(dt), None)

    def log_prob(self, value):
        self._check_value(value)
        value, probs = broadcast_all(value, self.probs)
        # NOTE: p = 1 and k = 0 gives 0 * log(0); PyTorch defines the term as 0 there.
        one_and_zero = (data(probs) == 1) & (data(value) == 0)
        probs = where(as_tensor(one_and_zero), 0.0, probs)
        return value * log1p(-probs) + log(self.probs)

    def entropy(self):
        bce = softplus(self.logits) - self.probs * self.logits
        return bce / self.probs


class NegativeBinomial(BinaryParams, Distribution):
    """Number of successes before `total_count` failures, success probability `probs`.

    log p(k) = lgamma(k + r) - lgamma(k + 1) - lgamma(r) + r logsigmoid(-logits)
               + k logsigmoid(logits);  mean r e^logits.

    Shapes: total_count, probs or logits: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer
    _batch_params = ("total_count", "probs", "logits", "_param")

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        self._set_binary_params(probs, logits, total_count)
        super().__init__(self._param.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape=()):
        # gamma-Poisson mixture, as PyTorch samples it
        shape = self._extended_shape(sample_shape)
        r = np.broadcast_to(data(self.total_count).astype(np.float64), shape)
        odds = np.broadcast_to(np.exp(data(self.logits).astype(np.float64)), shape)
        rng = _rng()
        rate = rng.standard_gamma(r, shape) * odds
        return draw(lambda rng, s: rng.poisson(rate, s), shape, self._param.dtype)

    def log_prob(self, value):
        self._check_value(value)
        r = self.total_count
        unnormalised = r * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        normaliser = -lgamma(r + value) + lgamma(1.0 + value) + lgamma(r)
        # NOTE: r = 0 with k = 0 is a point mass at 0: PyTorch zeroes the normaliser there.
        zero = np.broadcast_to(data(r + value) == 0, tuple(normaliser.shape))
        normaliser = where(as_tensor(np.ascontiguousarray(zero)), 0.0, normaliser)
        return unnormalised - normaliser


class _Multinomial(constraints.Constraint):
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def _check(self, v):
        return (v >= 0).all(-1) & (v.sum(-1) <= self.upper_bound)

    def __repr__(self):
        return f"Multinomial(upper_bound={self.upper_bound})"


class Multinomial(Distribution):
    """Counts of `total_count` draws from Categorical(probs) over K categories.

    log p(x) = lgamma(n + 1) - sum lgamma(x_k + 1) + sum x_k log p_k.

    Shapes: probs or logits: (*batch_shape, K);  event_shape = (K,);  samples are floats
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    _sub_dists = ("_categorical",)

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits, validate_args=validate_args)
        param_shape = tuple(self._categorical.param_shape)
        super().__init__(param_shape[:-1], param_shape[-1:], validate_args=validate_args)

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return _Multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        p = np.broadcast_to(data(self.probs).astype(np.float64), shape)
        flat = p.reshape(-1, shape[-1])
        rng = _rng()
        counts = np.stack([rng.multinomial(self.total_count, row / row.sum()) for row in flat]) \
            if flat.shape[0] else np.zeros(flat.shape)
        return draw(lambda rng, s: counts.reshape(s), shape, self._categorical._param.dtype)

    def log_prob(self, value):
        self._check_value(value)
        logits, value = broadcast_all(self.logits, value)
        # NOTE: a category with probability 0 and count 0 contributes 0, not 0 * -inf.
        logits = where(as_tensor((data(value) == 0) & np.isneginf(data(logits))), 0.0, logits)
        return lgamma(value.sum(-1) + 1) - lgamma(value + 1).sum(-1) + (logits * value).sum(-1)
