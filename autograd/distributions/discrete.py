"""Discrete distributions: Bernoulli, Categorical, OneHotCategorical, Binomial, Poisson.

Bernoulli, Categorical and Binomial take `probs` or `logits` (exactly one); the other is derived
lazily on first use, as PyTorch does. Log-probabilities are computed from the logits (stable).
"""
import numpy as np

from ..creation import arange, as_tensor
from ..ops.elementwise import clamp, exp
from ..ops.index import gather
from ..ops.reduce import logsumexp
from ..random import _generator
from ..tensor import _make
from . import constraints
from ..ops.gamma import lgamma
from .distribution import Distribution
from ..ops.special import xlogy
from .utils import (as_float_tensor, broadcast_all, data, draw, lazy_property, logits_to_probs,
                    probs_to_logits, softplus)

__all__ = ["Bernoulli", "Categorical", "OneHotCategorical", "Binomial", "Poisson"]


def _one_of(probs, logits):
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class BinaryParams:
    """Success probabilities given as `probs` or as `logits`: whichever was given is stored
    (broadcast with a `total_count` when there is one) and the other derived on first use."""

    def _set_binary_params(self, probs, logits, total_count=None):
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        if total_count is None:
            value, = broadcast_all(given)
        else:
            total, value = broadcast_all(total_count, given)
            self.total_count = total.to(value.dtype)
        if probs is not None:
            self.probs = value
        else:
            self.logits = value
        self._param = value

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.shape


class Bernoulli(BinaryParams, Distribution):
    """Bernoulli: 1 with probability `probs` (= sigmoid(logits)), else 0.

    log p(x) = x * logits - softplus(logits)  (minus binary cross-entropy with logits).

    Shapes: probs or logits: batch_shape;  event_shape = ();  samples are floats
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _batch_params = ("probs", "logits", "_param")

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._set_binary_params(probs, logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = data(self.probs)
        return as_tensor(np.where(p == 0.5, np.nan, p > 0.5).astype(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        p = np.broadcast_to(data(self.probs), shape)
        return _make(_generator().bernoulli_tensor(p).astype(self._param.dtype), None)

    def log_prob(self, value):
        self._check_value(value)
        return value * self.logits - softplus(self.logits)

    def entropy(self):
        return softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand=True):
        values = arange(2, dtype=self._param.dtype).reshape((2,) + (1,) * len(self._batch_shape))
        return values.expand((2,) + self._batch_shape) if expand else values


class Categorical(Distribution):
    """Categorical over {0, ..., K-1}: `probs` (normalised over the last dim) or `logits`
    (log-probabilities up to a constant, normalised by logsumexp).

    log p(k) = logits[..., k] - logsumexp(logits);  entropy = -sum(probs * logits).

    Shapes: probs or logits: (*batch_shape, K);  event_shape = ();  samples are int64
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True
    _batch_params = ("probs", "logits", "_param")

    def __init__(self, probs=None, logits=None, validate_args=None):
        _one_of(probs, logits)
        if probs is not None:
            probs = as_float_tensor(probs)
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            logits = as_float_tensor(logits)
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logsumexp(logits, -1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        super().__init__(self._param.shape[:-1], validate_args=validate_args)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self):
        return self._param.shape

    @property
    def mean(self):
        return as_tensor(np.full(self._batch_shape, np.nan, self._param.dtype))

    @property
    def mode(self):
        return as_tensor(data(self.probs).argmax(-1))

    @property
    def variance(self):
        return as_tensor(np.full(self._batch_shape, np.nan, self._param.dtype))

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        # PyTorch's draw: one multinomial row per distribution, samples along the row
        rows = data(self.probs).reshape(-1, self._num_events)
        n = int(np.prod(tuple(sample_shape), dtype=np.int64))
        samples = _generator().multinomial(rows, n, True) if n else np.empty((len(rows), 0))
        return _make(samples.T.reshape(shape).astype(np.int64), None)

    def log_prob(self, value):
        self._check_value(value)
        v = data(value).astype(np.int64)
        shape = np.broadcast_shapes(v.shape + (1,), tuple(self.logits.shape))
        index = np.broadcast_to(v[..., None], shape[:-1] + (1,))
        return gather(self.logits.expand(shape), -1, as_tensor(index)).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = clamp(self.logits, min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        n = self._num_events
        values = arange(n).reshape((n,) + (1,) * len(self._batch_shape))
        return values.expand((n,) + self._batch_shape) if expand else values


class OneHotCategorical(Distribution):
    """Categorical whose samples are one-hot vectors of length K.

    Shapes: probs or logits: (*batch_shape, K);  event_shape = (K,);  samples are floats
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True
    _sub_dists = ("_categorical",)

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        return self._one_hot(self._categorical.mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def _one_hot(self, index):
        k = self._event_shape[-1]
        dtype = self._categorical._param.dtype
        return as_tensor((data(index)[..., None] == np.arange(k)).astype(dtype))

    def sample(self, sample_shape=()):
        return self._one_hot(self._categorical.sample(sample_shape))

    def log_prob(self, value):
        self._check_value(value)
        return self._categorical.log_prob(as_tensor(data(value).argmax(-1)))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        k = self._event_shape[-1]
        values = as_tensor(np.eye(k, dtype=self._categorical._param.dtype)).reshape(
            (k,) + (1,) * len(self._batch_shape) + (k,))
        return values.expand((k,) + self._batch_shape + (k,)) if expand else values

    def __repr__(self):
        return repr(self._categorical).replace("Categorical", "OneHotCategorical", 1)


class Binomial(BinaryParams, Distribution):
    """Number of successes in `total_count` Bernoulli(probs) trials.

    log p(k) = lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1) + k logits - n softplus(logits).

    Shapes: total_count, probs or logits: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True
    _batch_params = ("total_count", "probs", "logits", "_param")

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        self._set_binary_params(probs, logits, total_count)
        super().__init__(self._param.shape, validate_args=validate_args)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        n = data(self.total_count)
        return as_tensor(np.minimum(np.floor((n + 1) * data(self.probs)), n))

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        n = np.broadcast_to(data(self.total_count).astype(np.int64), shape)
        p = np.broadcast_to(data(self.probs).astype(np.float64), shape)
        return draw(lambda rng, s: rng.binomial(n, p, s), shape, self._param.dtype)

    def log_prob(self, value):
        self._check_value(value)
        n, logits = self.total_count, self.logits
        log_binom = lgamma(n + 1) - lgamma(value + 1) - lgamma(n - value + 1)
        return log_binom + value * logits - n * softplus(logits)

    def entropy(self):
        n = data(self.total_count)
        if n.size and n.min() != n.max():
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        n = int(data(self.total_count).max()) if self.total_count.numel() else 0
        values = arange(1 + n, dtype=self._param.dtype).reshape(
            (-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


class Poisson(Distribution):
    """Poisson with mean `rate`.

    log p(k) = k log(rate) - rate - lgamma(k + 1)  (0 log 0 = 0).

    Shapes: rate: batch_shape;  event_shape = ();  samples are floats
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer
    _batch_params = ("rate",)

    def __init__(self, rate, validate_args=None):
        self.rate, = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return as_tensor(np.floor(data(self.rate)))

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        rate = np.broadcast_to(data(self.rate).astype(np.float64), shape)
        return draw(lambda rng, s: rng.poisson(rate, s), shape, self.rate.dtype)

    def log_prob(self, value):
        self._check_value(value)
        return xlogy(value, self.rate) - self.rate - lgamma(value + 1)


