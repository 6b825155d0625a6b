"""`Distribution`: the base class, with PyTorch's API and argument validation.

A distribution has a `batch_shape` (independent, not identically parametrised draws) and an
`event_shape` (the shape of one draw: () for scalars, (k,) for a vector). `sample(sample_shape)`
returns `sample_shape + batch_shape + event_shape`; `log_prob(value)` returns the broadcast of
value's shape minus the event dims.
"""
from .. import grad_mode
from ..tensor import Tensor
from . import constraints
from .utils import broadcast_all, lazy_property

__all__ = ["Distribution"]


class Distribution:
    """Base of all distributions.

    Subclasses set `arg_constraints` ({parameter name: constraint}), `support`, `has_rsample`,
    and implement what they can of `rsample`/`sample`, `log_prob`, `entropy`, `cdf`, `icdf`,
    `mean`, `mode`, `variance`. Parameters (and values passed to `log_prob`) are checked against
    their constraints unless validation is off: per instance with `validate_args=False`, or
    globally with `Distribution.set_default_validate_args(False)`.
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    # Attributes `expand` broadcasts to a new batch shape (tensors with trailing event dims)
    # and sub-distributions it expands in turn.
    _batch_params = ()
    _sub_dists = ()

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for every distribution created afterwards."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args expects a bool, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(
                        getattr(type(self), param, None), lazy_property):
                    continue  # a lazily computed parameter (probs given logits)
                value = getattr(self, param)
                if not constraint.check(value).all():
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")

    # ------------------------------------------------------------------ shapes
    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return tuple(sample_shape) + self._batch_shape + self._event_shape

    def expand(self, batch_shape, _instance=None):
        """The same distribution broadcast to a larger `batch_shape` (parameters expanded, not
        copied; no validation)."""
        batch_shape = tuple(batch_shape)
        new = _instance if _instance is not None else object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        nb = len(self._batch_shape)
        for name in self._batch_params:
            if name in self.__dict__:
                value = self.__dict__[name]
                new.__dict__[name] = value.expand(batch_shape + tuple(value.shape[nb:]))
        for name in self._sub_dists:
            sub = self.__dict__[name]
            extra = sub.batch_shape[nb:]
            new.__dict__[name] = sub.expand(batch_shape + tuple(extra))
        new._batch_shape = batch_shape
        return new

    # ------------------------------------------------------------------ statistics
    @property
    def arg_constraints(self):
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    # ------------------------------------------------------------------ sampling, densities
    def sample(self, sample_shape=()):
        """A draw of shape `sample_shape + batch_shape + event_shape`, without gradient."""
        with grad_mode.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """A reparameterised draw: differentiable with respect to the parameters."""
        raise NotImplementedError(f"{type(self).__name__} does not support rsample "
                                  f"(has_rsample is False)")

    def sample_n(self, n):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    # ------------------------------------------------------------------ validation
    def _validate_sample(self, value):
        """Raise ValueError unless `value` is a Tensor broadcastable with batch + event shape
        and inside the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        start = value.ndim - len(self._event_shape)
        if tuple(value.shape[start:]) != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{tuple(value.shape)} vs {self._event_shape}.")
        actual, expected = tuple(value.shape), self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual} vs {expected}.")
        support = self.support
        if not support.check(value).all():
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    def _check_value(self, value):
        if self._validate_args:
            self._validate_sample(value)

    def __repr__(self):
        try:
            names = [k for k in self.arg_constraints if k in self.__dict__]
        except NotImplementedError:
            names = []
        args = ", ".join(f"{p}: {_short(self.__dict__[p])}" for p in names)
        return f"{type(self).__name__}({args})"


def _short(value):
    if isinstance(value, Tensor):
        return value.item() if value.numel() == 1 else tuple(value.shape)
    return value


class LocationScale(Distribution):
    """A real-valued family with location `loc` and positive `scale` broadcast to the batch
    shape, reparameterisable, its mean and mode at `loc` (subclasses change what differs)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _batch_params = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc
