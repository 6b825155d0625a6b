"""Constraints: where a distribution's parameters and samples may lie.

A constraint's `check(value)` returns a bool Tensor of the value's shape minus `event_dim`
rightmost dims, True where the value is valid. The names follow `torch.distributions.constraints`.
"""
import numpy as np

from ..tensor import Tensor, _make

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "half_open_interval", "independent", "integer_interval",
           "interval", "is_dependent", "less_than", "lower_cholesky", "lower_triangular",
           "nonnegative", "nonnegative_integer", "one_hot", "positive", "positive_definite",
           "positive_integer", "positive_semidefinite", "real", "real_vector", "simplex",
           "unit_interval"]


def _fmt(bound):
    """A bound as PyTorch prints it: a one-element tensor as its number."""
    if isinstance(bound, Tensor) and bound.numel() == 1:
        return bound.item()
    return bound


def _data(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


class Constraint:
    """Base of constraints. `event_dim` is how many rightmost dims one event spans;
    `is_discrete` whether the values are integers."""

    is_discrete = False
    event_dim = 0

    def check(self, value):
        """A bool Tensor, True where `value` satisfies the constraint."""
        return _make(np.asarray(self._check(_data(value))), None)

    def _check(self, v):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__[1:] + "()"


class _Dependent(Constraint):
    """Placeholder for a constraint that depends on other parameters (checked elsewhere)."""

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self):
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self):
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        return _Dependent(is_discrete=self._is_discrete if is_discrete is NotImplemented
                          else is_discrete,
                          event_dim=self._event_dim if event_dim is NotImplemented
                          else event_dim)

    def check(self, value):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint):
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property that is also a dependent constraint (the support of Uniform, Binomial)."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        property.__init__(self, fn)
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """`base_constraint` applied to events spanning `reinterpreted_batch_ndims` more dims."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def _check(self, v):
        ok = np.asarray(self.base_constraint._check(v))
        n = self.reinterpreted_batch_ndims
        return ok.reshape(ok.shape[:ok.ndim - n] + (-1,)).all(-1) if n else ok

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _Boolean(Constraint):
    is_discrete = True

    def _check(self, v):
        return (v == 0) | (v == 1)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def _check(self, v):
        return ((v == 0) | (v == 1)).all(-1) & (v.sum(-1) == 1)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _check(self, v):
        return (v % 1 == 0) & (_data(self.lower_bound) <= v) & (v <= _data(self.upper_bound))

    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def _check(self, v):
        return (v % 1 == 0) & (v >= self.lower_bound)

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _Real(Constraint):
    def _check(self, v):
        return v == v  # False only for nan


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def _check(self, v):
        return _data(self.lower_bound) < v

    def __repr__(self):
        return f"GreaterThan(lower_bound={_fmt(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def _check(self, v):
        return _data(self.lower_bound) <= v

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={_fmt(self.lower_bound)})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def _check(self, v):
        return v < _data(self.upper_bound)

    def __repr__(self):
        return f"LessThan(upper_bound={_fmt(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _check(self, v):
        return (_data(self.lower_bound) <= v) & (v <= _data(self.upper_bound))

    def __repr__(self):
        return f"Interval(lower_bound={_fmt(self.lower_bound)}, " \
            f"upper_bound={_fmt(self.upper_bound)})"


class _HalfOpenInterval(_Interval):
    def _check(self, v):
        return (_data(self.lower_bound) <= v) & (v < _data(self.upper_bound))

    def __repr__(self):
        return f"HalfOpenInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    event_dim = 1

    def _check(self, v):
        return (v >= 0).all(-1) & (np.abs(v.sum(-1) - 1) < 1e-6)


class _LowerTriangular(Constraint):
    event_dim = 2

    def _check(self, v):
        return (np.tril(v) == v).reshape(v.shape[:-2] + (-1,)).all(-1)


class _LowerCholesky(Constraint):
    event_dim = 2

    def _check(self, v):
        lower = (np.tril(v) == v).reshape(v.shape[:-2] + (-1,)).all(-1)
        return lower & (np.diagonal(v, axis1=-2, axis2=-1) > 0).all(-1)


class _PositiveSemidefinite(Constraint):
    event_dim = 2

    def _check(self, v):
        sym = np.isclose(v, np.swapaxes(v, -1, -2), atol=1e-6).reshape(
            v.shape[:-2] + (-1,)).all(-1)
        return sym & self._eig_ok(np.linalg.eigvalsh(v))

    def _eig_ok(self, w):
        return (w >= 0).all(-1)


class _PositiveDefinite(_PositiveSemidefinite):
    def _eig_ok(self, w):
        return (w > 0).all(-1)


dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = _IndependentConstraint(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()


# ---------------------------------------------------------------------- cat and stack
class _Cat(Constraint):
    """Constraints `cseq[i]` on consecutive slices of `lengths[i]` along `dim`."""

    def __init__(self, cseq, dim=0, lengths=None):
        self.cseq = list(cseq)
        self.lengths = list(lengths) if lengths is not None else [1] * len(self.cseq)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"cat: {len(self.cseq)} constraints but {len(self.lengths)} "
                             f"lengths")
        self.dim = dim

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self):
        return max(c.event_dim for c in self.cseq)

    def _check(self, v):
        parts, start = [], 0
        for c, length in zip(self.cseq, self.lengths):
            part = np.take(v, np.arange(start, start + length), axis=self.dim)
            parts.append(np.asarray(c._check(part)))
            start += length
        return np.concatenate(parts, self.dim)


class _Stack(Constraint):
    """Constraint `cseq[i]` on the i-th index along `dim`."""

    def __init__(self, cseq, dim=0):
        self.cseq = list(cseq)
        self.dim = dim

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self):
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim

    def _check(self, v):
        parts = [np.asarray(c._check(np.take(v, i, axis=self.dim)))
                 for i, c in enumerate(self.cseq)]
        return np.stack(parts, self.dim)


cat = _Cat
stack = _Stack
__all__ += ["cat", "stack"]
