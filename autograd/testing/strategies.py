"""Hypothesis strategies for testing differentiable code: shapes, arrays, dims, indices, tensors.

Domains live here, in the strategies, rather than in `assume()`: a `Domain` says where an
argument's values may fall and which points (kinks, poles, ties) to stay clear of, and the
strategies only ever draw values that satisfy it.

Example:
    >>> from autograd.testing import strategies as ts
    >>> @given(ts.tensors(ts.shapes(), ts.Domain(0.1, 5)))
    ... def test_log_is_finite(x):
    ...     assert autograd.log(x).isfinite().all()
"""
import dataclasses
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["Domain", "shapes", "broadcastable_shapes", "elements", "float_arrays", "arrays",
           "dims", "dim_lists", "index_expressions", "basic_indices", "advanced_indices",
           "tensors", "DEFAULT_DOMAIN"]

MAX_SIDE = 3
MAX_DIMS = 3


@dataclasses.dataclass(frozen=True)
class Domain:
    """Where the values of one argument may lie.

    Attributes:
        lo, hi: the closed interval values are drawn from.
        avoid: points to stay at least `gap` away from (kinks such as relu at 0, poles such as
            1/x at 0, clamp bounds).
        gap: the distance kept from each point in `avoid`.
        window: (a, b) with 0 <= a < b <= 1: only values whose fractional part lies in [a, b).
            Two arguments with disjoint windows can never be equal (or closer than the gap
            between the windows), which keeps maximum(x, y) away from ties.
        distinct: the elements of one array are spaced at least this far apart (drawn as a
            jittered permutation of a grid), which keeps max/min/sort away from ties.
        include: special values that are drawn now and then (e.g. exact zeros for prod).
    """

    lo: float = -3.0
    hi: float = 3.0
    avoid: tuple = ()
    gap: float = 0.1
    window: tuple = None
    distinct: float = 0.0
    include: tuple = ()

    def __post_init__(self):
        if not self.lo < self.hi:
            raise ValueError(f"Domain: lo ({self.lo}) must be below hi ({self.hi})")
        if self.window is not None and not 0 <= self.window[0] < self.window[1] <= 1:
            raise ValueError(f"Domain: window {self.window} must satisfy 0 <= a < b <= 1")

    def with_avoid(self, *points, gap=None):
        """This domain, also staying clear of `points`."""
        return dataclasses.replace(self, avoid=tuple(self.avoid) + tuple(points),
                                   gap=self.gap if gap is None else gap)

    def project(self, x):
        """Map any float in [lo, hi] to a value that satisfies this domain."""
        x = float(min(max(x, self.lo), self.hi))
        if self.window is not None:
            a, b = self.window
            cell = math.floor(x)
            x = cell + a + (x - cell) * (b - a)
            if x > self.hi:
                x -= 1.0
            if x < self.lo:
                x += 1.0
        for _ in range(len(self.avoid) + 1):
            moved = False
            for k in self.avoid:
                if abs(x - k) < self.gap:
                    up, down = k + self.gap, k - self.gap
                    x = up if (x >= k and up <= self.hi) or down < self.lo else down
                    moved = True
            if not moved:
                break
        return x


DEFAULT_DOMAIN = Domain()


# ---------------------------------------------------------------------- shapes
def shapes(min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE):
    """Array shapes, including scalars (0-d) by default and empty dims when `min_side=0`."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=MAX_DIMS, min_side=1,
                         max_side=MAX_SIDE):
    """Tuples of `num_shapes` shapes that broadcast together (size-1 dims, missing leading
    dims and scalars included)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda b: tuple(b.input_shapes))


# ---------------------------------------------------------------------- values
def elements(domain=DEFAULT_DOMAIN):
    """Python floats satisfying `domain` (not its `distinct` spacing: that is per array)."""
    base = st.floats(domain.lo, domain.hi, allow_nan=False, allow_infinity=False)
    values = base.map(domain.project)
    if domain.include:
        values = st.one_of(values, st.sampled_from(tuple(float(v) for v in domain.include)))
    return values


@st.composite
def _distinct_array(draw, shape, domain, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        return np.zeros(shape, dtype)
    order = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    jitter = np.array(draw(st.lists(st.floats(-0.25, 0.25), min_size=n, max_size=n)))
    step = (domain.hi - domain.lo) / n
    values = domain.lo + step * (order + 0.5 + jitter)
    return values.reshape(shape).astype(dtype)


def float_arrays(shape, domain=DEFAULT_DOMAIN, dtype=np.float64):
    """Float arrays of `shape` (a tuple or a strategy of tuples) with values in `domain`."""
    if isinstance(shape, st.SearchStrategy):
        return shape.flatmap(lambda s: float_arrays(s, domain, dtype))
    shape = tuple(shape)
    if domain.distinct:
        return _distinct_array(shape, domain, np.dtype(dtype))
    return hnp.arrays(np.float64, shape, elements=elements(domain)).map(
        lambda a: a.astype(dtype))


arrays = float_arrays


# ---------------------------------------------------------------------- dims
def dims(ndim, *, allow_none=False, allow_tuple=False, allow_negative=True, min_size=1):
    """Valid `dim` arguments for a tensor with `ndim` dims: ints in [-ndim, ndim) (for a 0-d
    tensor, 0 and -1, as PyTorch allows), optionally None and tuples of distinct dims."""
    if ndim == 0:
        single = st.sampled_from([0, -1] if allow_negative else [0])
    else:
        single = st.integers(-ndim if allow_negative else 0, ndim - 1)
    options = [single]
    if allow_none:
        options.append(st.none())
    if allow_tuple and ndim > 0:
        options.append(dim_lists(ndim, min_size=min_size, allow_negative=allow_negative))
    return st.one_of(*options)


def dim_lists(ndim, min_size=1, max_size=None, allow_negative=True):
    """Tuples of distinct dims (each possibly written negative) in random order."""
    max_size = ndim if max_size is None else min(max_size, ndim)
    if ndim == 0:
        return st.just(())
    base = st.lists(st.integers(0, ndim - 1), unique=True, min_size=min(min_size, ndim),
                    max_size=max_size)
    if not allow_negative:
        return base.map(tuple)
    return base.flatmap(lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds]))


# ---------------------------------------------------------------------- indices
def basic_indices(shape, allow_newaxis=True, allow_ellipsis=True):
    """Ints, slices (any step, negative included), None and Ellipsis, alone or in tuples."""
    return hnp.basic_indices(tuple(shape), allow_newaxis=allow_newaxis,
                             allow_ellipsis=allow_ellipsis)


@st.composite
def _int_array(draw, n, max_len=4, unique=False, min_len=0):
    if n == 0:
        return np.zeros(0, np.int64)
    values = st.integers(-n, n - 1)
    if unique:
        picked = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=min(min_len, n),
                               max_size=min(max_len, n)))
        picked = [p - n if draw(st.booleans()) else p for p in picked]
    else:
        picked = draw(st.lists(values, min_size=min_len, max_size=max_len))
    return np.array(picked, dtype=np.int64)


@st.composite
def advanced_indices(draw, shape, unique=False, allow_mask=True):
    """An index with integer arrays (repeated entries unless `unique`), a boolean mask, or a
    mixture of them with slices, ints and Ellipsis. `shape` must have at least one dim."""
    shape = tuple(shape)
    nd = len(shape)
    if nd == 0:
        raise ValueError("advanced_indices needs a shape with at least one dim")
    kinds = ["int_array", "int_array_then_slice", "slice_then_int_array", "ellipsis_int_array"]
    if nd >= 2:
        kinds.append("two_int_arrays")
        if shape[0] > 0:
            kinds.append("int_then_int_array")
    if allow_mask:
        kinds += ["mask", "mask_then_slice"]
    kind = draw(st.sampled_from(kinds))
    if kind == "int_array":
        return (draw(_int_array(shape[0], unique=unique)),)
    if kind == "int_array_then_slice":
        first = draw(_int_array(shape[0], unique=unique))
        rest = tuple(draw(_slices(n)) for n in shape[1:2])
        return (first,) + rest
    if kind == "slice_then_int_array":
        if nd == 1:
            return (draw(_int_array(shape[0], unique=unique)),)
        return (draw(_slices(shape[0])), draw(_int_array(shape[1], unique=unique)))
    if kind == "ellipsis_int_array":
        return (Ellipsis, draw(_int_array(shape[-1], unique=unique)))
    if kind == "two_int_arrays":
        length = draw(st.integers(0, 3)) if shape[0] and shape[1] else 0
        a = draw(_int_array(shape[0], max_len=length, min_len=length, unique=False))
        b = draw(_int_array(shape[1], max_len=length, min_len=length, unique=False))
        if unique and len({(x % shape[0], y % shape[1]) for x, y in zip(a, b)}) < len(a):
            a, b = a[:0], b[:0]
        return (a, b)
    if kind == "int_then_int_array":
        i = draw(st.integers(-shape[0], shape[0] - 1))
        return (i, draw(_int_array(shape[1], unique=unique)))
    k = draw(st.integers(1, nd)) if kind == "mask" else 1
    mask = draw(hnp.arrays(np.bool_, shape[:k]))
    if kind == "mask_then_slice" and nd >= 2:
        return (mask, draw(_slices(shape[1])))
    return (mask,)


def _slices(n):
    return st.slices(n)


def index_expressions(shape, allow_advanced=True, unique=False):
    """Anything `tensor[key]` accepts for a tensor of `shape`: basic indices, integer arrays
    (with repeated entries unless `unique`), boolean masks, and mixtures of them."""
    shape = tuple(shape)
    basic = basic_indices(shape)
    if not allow_advanced or len(shape) == 0:
        return basic
    return st.one_of(basic, advanced_indices(shape, unique=unique))


# ---------------------------------------------------------------------- tensors
def tensors(shape=None, domain=DEFAULT_DOMAIN, dtype=np.float64, requires_grad=True):
    """autograd Tensors with values in `domain` (leaves; `requires_grad` by default)."""
    from .. import creation
    shape = shapes() if shape is None else shape
    return float_arrays(shape, domain, dtype).map(
        lambda a: creation.tensor(a, requires_grad=requires_grad))
