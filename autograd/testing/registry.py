"""The op registry: one `OpSpec` per differentiable op, driving the property tests.

An `OpSpec` names our function, a NumPy reference, the family it belongs to, a `Domain` per
tensor argument (which keeps values clear of kinks), the shapes to draw, a strategy for extra
keyword arguments, tolerances, and whether double backward is checked. The test suite runs, for
every spec, one Hypothesis test case for values (against the reference, in float64 and
float32), one for gradients (against finite differences, via `gradcheck`) and one for double
backward (via `gradgradcheck`), so a new op is tested by adding one entry here.

Every `Op` subclass in `autograd.ops.*` and every public differentiable function in `autograd`
must be covered by a spec or listed with a reason in `EXEMPT_OPS` / `EXEMPT_FUNCTIONS`; the
completeness test enforces it.

Example (what an entry looks like):
    >>> register(OpSpec("exp", autograd.exp, np.exp, "elementwise",
    ...                 domains=(Domain(-3, 3),), covers=("Exp",)))
"""
import dataclasses
from typing import Callable, Optional

import numpy as np
from hypothesis import strategies as st

from . import strategies as ts
from .strategies import Domain

__all__ = ["OpSpec", "Domain", "register", "get", "specs", "families", "FAMILIES", "EXEMPT_OPS",
           "EXEMPT_FUNCTIONS", "shapes_with_empty", "one_shape", "broadcast_shapes"]

# The families, in the order the tests report them. A spec's family must be one of these.
FAMILIES = ("elementwise", "reduce", "shape", "index", "linalg", "nn", "norm", "losses")
FAMILIES += ("distributions",)  # autograd.distributions: special functions, log-densities


def shapes_with_empty(min_dims=0, max_dims=ts.MAX_DIMS, max_side=ts.MAX_SIDE):
    """Shapes where about one draw in six may have an empty (size-0) dim."""
    return st.integers(0, 5).flatmap(lambda k: ts.shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=0 if k == 0 else 1, max_side=max_side))


def one_shape(min_dims=0, max_dims=ts.MAX_DIMS, min_side=1, max_side=ts.MAX_SIDE, empty=True):
    """A strategy of 1-tuples of shapes (the `shapes` of a one-argument op)."""
    if empty and min_side <= 1:
        base = shapes_with_empty(min_dims, max_dims, max_side)
    else:
        base = ts.shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                         max_side=max_side)
    return base.map(lambda s: (s,))


def broadcast_shapes(n=2, empty=True, max_dims=ts.MAX_DIMS):
    """Tuples of `n` mutually broadcastable shapes (sometimes with an empty dim)."""
    if not empty:
        return ts.broadcastable_shapes(n, max_dims=max_dims)
    return st.integers(0, 5).flatmap(lambda k: ts.broadcastable_shapes(
        n, min_side=0 if k == 0 else 1, max_dims=max_dims))


@dataclasses.dataclass(repr=False)
class OpSpec:
    """How to test one op.

    Attributes:
        name: unique name of the entry (usually the public function's name).
        fn: our function, called as `fn(*tensors, **kwargs)`.
        ref: the NumPy reference, called as `ref(*float64_arrays, **kwargs)`; returns an array
            or a tuple of arrays matching fn's output structure.
        family: one of `FAMILIES`.
        domains: one `Domain` per tensor argument (the arity is `len(domains)`).
        shapes: strategy of tuples of shapes, one per tensor argument (default: one shape for
            unary ops, mutually broadcastable shapes otherwise; empty dims included).
        kwargs: `shapes -> strategy of dict` of extra (non-differentiated) arguments such as
            `dim`, `keepdim`, indices or Python scalars.
        setup: instead of `shapes` and `kwargs`, one strategy of `(shapes, kwargs)` pairs, for
            arguments that must be drawn together (an index and the shape it produced).
        kinks: points every argument stays clear of (added to each domain's `avoid`).
        atol, rtol: value tolerances in float64; atol32, rtol32 in float32.
        grad_atol, grad_rtol: gradcheck tolerances.
        double_backward: whether gradgradcheck runs (with a reason in `notes` when False).
        float32: whether the float32 value test runs (outputs must stay float32).
        covers: names of the `Op` classes this spec exercises (checked by the completeness test).
        public: public `autograd` names this spec exercises (default: `name`, if public).
        notes: why a check is off, or anything surprising.
    """

    name: str
    fn: Callable
    ref: Callable
    family: str
    domains: tuple = (ts.DEFAULT_DOMAIN,)
    shapes: Optional[st.SearchStrategy] = None
    kwargs: Optional[Callable] = None
    setup: Optional[st.SearchStrategy] = None
    kinks: tuple = ()
    atol: float = 1e-7
    rtol: float = 1e-7
    atol32: float = 1e-5
    rtol32: float = 1e-4
    grad_atol: float = 1e-5
    grad_rtol: float = 1e-3
    double_backward: bool = True
    float32: bool = True
    covers: tuple = ()
    public: Optional[tuple] = None
    notes: str = ""

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"OpSpec {self.name!r}: unknown family {self.family!r}; expected one "
                             f"of {FAMILIES}")
        if self.kinks:
            self.domains = tuple(d.with_avoid(*self.kinks) for d in self.domains)
        if self.shapes is None:
            self.shapes = one_shape() if self.arity == 1 else broadcast_shapes(self.arity)
        if self.public is None:
            import autograd
            self.public = (self.name,) if callable(getattr(autograd, self.name, None)) else ()

    @property
    def arity(self):
        return len(self.domains)

    def inputs(self, dtype=np.float64):
        """Strategy of `(arrays, kwargs)`: one array per tensor argument, in `dtype`."""
        return _inputs(self, np.dtype(dtype))

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"OpSpec({self.name!r}, family={self.family!r})"


@st.composite
def _inputs(draw, spec, dtype):
    if spec.setup is not None:
        shapes, kwargs = draw(spec.setup)
        shapes = tuple(shapes)
    else:
        shapes = tuple(draw(spec.shapes))
        kwargs = draw(spec.kwargs(shapes)) if spec.kwargs is not None else {}
    if len(shapes) != spec.arity:
        raise ValueError(f"OpSpec {spec.name!r}: shapes strategy drew {len(shapes)} shapes for "
                         f"{spec.arity} domains")
    arrays = tuple(draw(ts.float_arrays(s, d, dtype)) for s, d in zip(shapes, spec.domains))
    return arrays, kwargs


_REGISTRY = {}


def register(spec):
    """Add `spec` to the registry (names are unique)."""
    if spec.name in _REGISTRY:
        raise ValueError(f"OpSpec {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def get(name):
    return _REGISTRY[name]


def specs(family=None, double_backward=None):
    """Registered specs, optionally only one family / only those checking double backward."""
    return [s for s in _REGISTRY.values()
            if (family is None or s.family == family)
            and (double_backward is None or s.double_backward == double_backward)]


def families():
    return sorted({s.family for s in _REGISTRY.values()}, key=FAMILIES.index)


# ---------------------------------------------------------------------- documented exemptions
# Op classes that have no spec of their own, with the reason.
EXEMPT_OPS = {
    "Cast": "a dtype conversion: finite differences in float64 cannot see it (gradcheck casts "
            "every input to float64); its gradient is tested by hand in test_dtypes.py "
            "(float32 <-> float64 round trips keep each gradient's dtype)",
}

_NO_GRAD = "returns a bool or integer tensor, or carries no gradient by design (issue: " \
           "comparisons, isnan, isfinite, all, any, argmax, argmin)"
# Public functions of autograd.ops.* that need no spec, with the reason.
EXEMPT_FUNCTIONS = {
    **{name: _NO_GRAD for name in (
        "eq", "ne", "lt", "le", "gt", "ge", "less", "less_equal", "greater", "greater_equal",
        "equal", "allclose", "isclose", "isnan", "isinf", "isfinite", "signbit",
        "logical_and", "logical_or", "logical_xor",
        "logical_not", "all", "any", "argmax", "argmin", "count_nonzero", "nonzero",
        "argwhere", "floor_divide", "argsort")},
    **{name: "returns indices, counts or a bool mask (no gradient, as in PyTorch)"
       for name in ("unique", "unique_consecutive", "bincount", "histc", "bucketize",
                    "searchsorted", "isin")},
    "heaviside": "a step function: zero gradient almost everywhere, and PyTorch does not "
                 "differentiate it either",
    **{name: "integer (or bool) tensors only: no gradient, as in PyTorch"
       for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
                    "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm")},
    **{name: "returns a bool tensor (no gradient, as in PyTorch)"
       for name in ("isposinf", "isneginf", "isreal", "not_equal")},
    "nextafter": "a step to the neighbouring float: no gradient, as in PyTorch",
}

# The entries, one module per family (imported last: they use the names above).
from .specs import elementwise, reduce, shape, index, linalg, nn  # noqa: E402,F401
from .specs import elementwise_math  # noqa: E402,F401
from .specs import load_optional  # noqa: E402
from .specs import arrange, decomp, integrate, stats  # noqa: E402,F401
from .specs import distributions, methods  # noqa: E402,F401
from .specs import nn3d  # noqa: E402,F401
from .specs import decomp2  # noqa: E402,F401

load_optional()
