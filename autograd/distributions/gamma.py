"""Gamma, Beta and Dirichlet: the distributions whose densities need lgamma and digamma.

Draws come from NumPy's gamma generator; `rsample` attaches the implicit reparameterisation
gradient dx/da = -(dP/da) / (dP/dx) of the regularised incomplete gamma CDF P (see
`ops/igamma.py`), and Beta and Dirichlet are normalised gamma draws, so all three (and Chi2,
and StudentT through it) have `has_rsample = True`, as in PyTorch. The gradient is first order
only.
"""
import numpy as np

from ..ops.elementwise import clamp, log, where
from ..ops.shape import stack
from ..creation import as_tensor
from . import constraints
from ..ops.gamma import digamma, lgamma
from ..ops.igamma import gammainc, standard_gamma_reparam
from .distribution import Distribution
from .utils import as_float_tensor, broadcast_all, data, draw

__all__ = ["Gamma", "Beta", "Dirichlet", "Chi2"]


def _gamma_draw(concentration, shape):
    a = np.broadcast_to(data(concentration).astype(np.float64), shape)
    tiny = np.finfo(concentration.dtype).tiny
    # NOTE: tiny concentrations underflow to exact zeros; clamp as PyTorch does.
    return draw(lambda rng, s: np.maximum(rng.standard_gamma(a, s), tiny), shape,
                concentration.dtype)


def _gamma_rsample(concentration, shape):
    """Gamma(concentration, 1) draws of `shape` carrying the implicit gradient."""
    return standard_gamma_reparam(concentration.expand(shape), _gamma_draw(concentration, shape))


class Gamma(Distribution):
    """Gamma with shape `concentration` (a) and `rate` (b).

    log p(x) = a log b + (a - 1) log x - b x - lgamma(a);  mean a / b,  variance a / b^2.

    Shapes: concentration, rate: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _batch_params = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return clamp((self.concentration - 1) / self.rate, min=0.0)

    @property
    def variance(self):
        return self.concentration / self.rate ** 2

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        g = _gamma_draw(self.concentration, shape)
        return as_tensor(np.maximum(data(g) / data(self.rate), np.finfo(g.dtype).tiny))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = _gamma_rsample(self.concentration, shape) / self.rate
        return clamp(x, min=float(np.finfo(x.dtype).tiny))

    def cdf(self, value):
        """P(concentration, rate * value), differentiable in all three (first order)."""
        self._check_value(value)
        return gammainc(self.concentration, self.rate * value)

    def log_prob(self, value):
        self._check_value(value)
        a, b = self.concentration, self.rate
        return a * log(b) + (a - 1) * log(value) - b * value - lgamma(a)

    def entropy(self):
        a = self.concentration
        return a - log(self.rate) + lgamma(a) + (1.0 - a) * digamma(a)


class Dirichlet(Distribution):
    """Dirichlet over the probability simplex with `concentration` (a, last dim = categories).

    log p(x) = sum((a - 1) log x) + lgamma(sum a) - sum(lgamma(a)).

    Shapes: concentration: (*batch_shape, K);  event_shape = (K,)
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True
    _batch_params = ("concentration",)

    def __init__(self, concentration, validate_args=None):
        concentration = as_float_tensor(concentration)
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        am1 = clamp(self.concentration - 1, min=0.0)
        with np.errstate(invalid="ignore"):  # 0 / 0 where the vertex is chosen below
            mode = am1 / am1.sum(-1, keepdim=True)
        # where every concentration is below 1, the mode is the vertex of the largest one
        below = data(self.concentration) < 1
        all_below = below.all(-1, keepdims=True)
        a = data(self.concentration)
        vertex = (np.arange(a.shape[-1]) == a.argmax(-1)[..., None]).astype(a.dtype)
        return where(as_tensor(np.broadcast_to(all_below, a.shape)), as_tensor(vertex), mode)

    @property
    def variance(self):
        a = self.concentration
        a0 = a.sum(-1, keepdim=True)
        return a * (a0 - a) / (a0 ** 2 * (a0 + 1))

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        g = data(_gamma_draw(self.concentration, shape))
        return as_tensor(g / g.sum(-1, keepdims=True))

    def rsample(self, sample_shape=()):
        g = _gamma_rsample(self.concentration, self._extended_shape(sample_shape))
        return g / g.sum(-1, keepdim=True)

    def log_prob(self, value):
        self._check_value(value)
        a = self.concentration
        return ((a - 1) * log(value)).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        a0 = a.sum(-1)
        return lgamma(a).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0) \
            - ((a - 1) * digamma(a)).sum(-1)


class Beta(Distribution):
    """Beta on [0, 1] with `concentration1` (a, the weight of 1) and `concentration0` (b).

    log p(x) = (a - 1) log x + (b - 1) log(1 - x) - (lgamma(a) + lgamma(b) - lgamma(a + b)).

    Shapes: concentration1, concentration0: broadcast to batch_shape;  event_shape = ()
    """

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True
    _batch_params = ("concentration1", "concentration0")

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        a, b = self.concentration1, self.concentration0
        return Dirichlet(stack([a, b], -1), validate_args=False).mode[..., 0]

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total ** 2 * (total + 1))

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = data(_gamma_draw(self.concentration1, shape))
        y = data(_gamma_draw(self.concentration0, shape))
        return as_tensor(x / (x + y))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = _gamma_rsample(self.concentration1, shape)
        y = _gamma_rsample(self.concentration0, shape)
        return x / (x + y)

    def log_prob(self, value):
        self._check_value(value)
        a, b = self.concentration1, self.concentration0
        return (a - 1) * log(value) + (b - 1) * log(1 - value) \
            - (lgamma(a) + lgamma(b) - lgamma(a + b))

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return lgamma(a) + lgamma(b) - lgamma(total) - (a - 1) * digamma(a) \
            - (b - 1) * digamma(b) + (total - 2) * digamma(total)


class Chi2(Gamma):
    """Chi-squared with `df` degrees of freedom: Gamma(df / 2, 1 / 2).

    Shapes: df: batch_shape;  event_shape = ()
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        df, = broadcast_all(df)
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self):
        return self.concentration * 2
