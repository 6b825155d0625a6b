"""Registry entries: nan-aware sums, order statistics, quantiles, running extrema,
logcumsumexp and distances."""
import math

import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, one_shape, register
from ..strategies import Domain, dims, shapes

FAMILY = "reduce"
DISTINCT = Domain(-3.0, 3.0, distinct=0.05)
WITH_NAN = Domain(-3.0, 3.0, include=(float("nan"),))
_SIDE = st.integers(1, 3)


def _reg(name, fn, ref, domain=Domain(), arity=1, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,) * arity, **kw))


def _axis(dim, ndim):
    if dim is None or ndim == 0:
        return None
    if isinstance(dim, int):
        return dim % ndim
    return tuple(d % ndim for d in dim)


def _dim_keepdim(allow_none=True, allow_tuple=True):
    def kwargs(shapes):
        return st.fixed_dictionaries({
            "dim": dims(len(shapes[0]), allow_none=allow_none, allow_tuple=allow_tuple),
            "keepdim": st.booleans()})
    return kwargs


def _one_dim(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0])), "keepdim": st.booleans()})


# ---------------------------------------------------------------------- nan-aware sums
_reg("nansum", lambda x, dim, keepdim: autograd.nansum(x, dim, keepdim),
     lambda x, dim, keepdim: np.nansum(x, axis=_axis(dim, x.ndim), keepdims=keepdim),
     WITH_NAN, kwargs=_dim_keepdim(), covers=("Where", "Sum"),
     notes="nan entries are drawn now and then: their gradient is 0")


def _nanmean_ref(x, dim, keepdim):
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nansum(x, axis=_axis(dim, x.ndim), keepdims=keepdim)
        n = np.sum(~np.isnan(x), axis=_axis(dim, x.ndim), keepdims=keepdim)
        return s / n


_reg("nanmean", lambda x, dim, keepdim: autograd.nanmean(x, dim, keepdim), _nanmean_ref,
     Domain(), kwargs=_dim_keepdim(), shapes=one_shape(empty=False), covers=("Where", "Div"),
     notes="no nan drawn: the gradient of an all-nan mean is nan in PyTorch (tested there)")


# ---------------------------------------------------------------------- selections
def _select_ref(position):
    """(values, indices) of the entry at sorted `position(n)` along dim (distinct values)."""
    def ref(x, dim, keepdim, **kw):
        if x.ndim == 0:
            return x, np.zeros((), np.int64)
        axis = dim % x.ndim
        order = np.argsort(x, axis=axis)
        pos = position(x.shape[axis], **kw)
        idx = np.take(order, [pos], axis=axis)
        values = np.take_along_axis(x, idx, axis=axis)
        if not keepdim:
            values, idx = np.squeeze(values, axis), np.squeeze(idx, axis)
        return values, idx.astype(np.int64)
    return ref


_NONEMPTY = one_shape(empty=False)
_reg("median", lambda x: autograd.median(x), lambda x: np.sort(x.reshape(-1))[(x.size - 1) // 2],
     DISTINCT, shapes=_NONEMPTY, covers=("SelectEvenly",), notes="distinct: ties are kinks")
_reg("median_dim", lambda x, dim, keepdim: tuple(autograd.median(x, dim, keepdim)),
     _select_ref(lambda n: (n - 1) // 2), DISTINCT, shapes=_NONEMPTY, kwargs=_one_dim,
     covers=("Gather",), public=())
_reg("nanmedian", lambda x: autograd.nanmedian(x),
     lambda x: np.sort(x.reshape(-1))[(x.size - 1) // 2], DISTINCT, shapes=_NONEMPTY,
     covers=("SelectEvenly",))
_reg("nanmedian_dim", lambda x, dim, keepdim: tuple(autograd.nanmedian(x, dim, keepdim)),
     _select_ref(lambda n: (n - 1) // 2), DISTINCT, shapes=_NONEMPTY, kwargs=_one_dim,
     covers=("Gather",), public=())


@st.composite
def _kth_setup(draw):
    shape = draw(shapes(min_dims=0, max_dims=3))
    nd = len(shape)
    dim = draw(dims(nd))
    n = shape[dim % nd] if nd else 1
    return (shape,), {"k": draw(st.integers(1, n)), "dim": dim, "keepdim": draw(st.booleans())}


_reg("kthvalue", lambda x, k, dim, keepdim: tuple(autograd.kthvalue(x, k, dim, keepdim)),
     _select_ref(lambda n, k: k - 1), DISTINCT, setup=_kth_setup(), covers=("Gather",))
_reg("mode", lambda x, dim, keepdim: tuple(autograd.mode(x, dim, keepdim)),
     _select_ref(lambda n: 0), DISTINCT, shapes=_NONEMPTY, kwargs=_one_dim, covers=("Gather",),
     notes="distinct values: every count is 1, so the mode is the smallest (ties are tested "
           "against PyTorch)")


# ---------------------------------------------------------------------- quantiles
@st.composite
def _quantile_setup(draw):
    shape = draw(shapes(min_dims=0, max_dims=3))
    # dyadic q: q * (n - 1) is then exact in float32 too (lower/higher/nearest jump at integers)
    frac = st.integers(0, 16).map(lambda k: k / 16)
    q = draw(st.one_of(frac, st.lists(frac, min_size=1, max_size=3)))
    dim = draw(st.one_of(st.none(), dims(len(shape))))
    return (shape,), {"q": q, "dim": dim, "keepdim": draw(st.booleans()),
                      "interpolation": draw(st.sampled_from(
                          ["linear", "lower", "higher", "midpoint", "nearest"]))}


def _quantile_call(fn):
    def call(x, q, dim, keepdim, interpolation):
        if isinstance(q, list):
            q = autograd.tensor(np.array(q), dtype=x.dtype)
        return fn(x, q, dim, keepdim, interpolation=interpolation)
    return call


def _quantile_ref(np_fn):
    def ref(x, q, dim, keepdim, interpolation):
        q = np.array(q) if isinstance(q, list) else q
        return np.asarray(np_fn(x, q, axis=_axis(dim, x.ndim), keepdims=keepdim,
                                method=interpolation))
    return ref


_reg("quantile", _quantile_call(autograd.quantile), _quantile_ref(np.quantile), DISTINCT,
     setup=_quantile_setup(), covers=("Gather",))
_reg("nanquantile", _quantile_call(autograd.nanquantile), _quantile_ref(np.nanquantile),
     DISTINCT, setup=_quantile_setup(), covers=("Gather",))


def _aminmax_ref(x, dim, keepdim):
    axis = None if dim is None else _axis(dim, x.ndim)
    return np.amin(x, axis=axis, keepdims=keepdim), np.amax(x, axis=axis, keepdims=keepdim)


_reg("aminmax", lambda x, dim, keepdim: tuple(autograd.aminmax(x, dim=dim, keepdim=keepdim)),
     _aminmax_ref, DISTINCT, shapes=_NONEMPTY, kwargs=_dim_keepdim(allow_tuple=False),
     covers=("AMin", "AMax"))


# ---------------------------------------------------------------------- running reductions
def _cum_ref(np_acc):
    def ref(x, dim):
        if x.ndim == 0 or x.size == 0:
            return x, np.zeros(x.shape, np.int64)
        axis = dim % x.ndim
        values = np_acc(x, axis=axis)
        moved_x, moved_v = np.moveaxis(x, axis, -1), np.moveaxis(values, axis, -1)
        idx = np.argmax(moved_x[..., None, :] == moved_v[..., :, None], axis=-1)
        return values, np.moveaxis(idx, -1, axis).astype(np.int64)
    return ref


def _cum_dim(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0]))})


_reg("cummax", lambda x, dim: tuple(autograd.cummax(x, dim)), _cum_ref(np.maximum.accumulate),
     DISTINCT, kwargs=_cum_dim, covers=("Gather",))
_reg("cummin", lambda x, dim: tuple(autograd.cummin(x, dim)), _cum_ref(np.minimum.accumulate),
     DISTINCT, kwargs=_cum_dim, covers=("Gather",))


def _logcumsumexp_ref(x, dim):
    if x.ndim == 0:
        return x.copy()
    return np.log(np.cumsum(np.exp(x), axis=dim % x.ndim))


_reg("logcumsumexp", lambda x, dim: autograd.logcumsumexp(x, dim), _logcumsumexp_ref,
     Domain(-5.0, 5.0), kwargs=_cum_dim, covers=("LogCumSumExp",))


# ---------------------------------------------------------------------- distances
def _pnorm(d, p, axis):
    a = np.abs(d)
    if p == math.inf:
        return np.amax(a, axis=axis)
    if p == 0:
        return np.sum(a != 0, axis=axis).astype(d.dtype)
    return np.sum(a ** p, axis=axis) ** (1.0 / p)


# disjoint windows, 0.2 apart also across integers: the arguments' entries never come close
# (zero differences are kinks)
_LOW, _HIGH = Domain(-3.0, 3.0, window=(0.1, 0.4)), Domain(-3.0, 3.0, window=(0.6, 0.9))
for _p in (2, 1, 3, 0):
    register(OpSpec(f"dist_p{_p}", (lambda p: lambda a, b: autograd.dist(a, b, p))(_p),
                    (lambda p: lambda a, b: np.asarray(_pnorm(np.broadcast_to(
                        a - b, np.broadcast_shapes(a.shape, b.shape)).reshape(-1), p,
                        None)))(_p),
                    FAMILY, domains=(_LOW, _HIGH), covers=("Sub",),
                    public=("dist",) if _p == 2 else ()))


@st.composite
def _cdist_setup(draw):
    batch = draw(st.sampled_from([(), (2,), (1, 2)]))
    other_batch = batch if not batch or draw(st.booleans()) else (1,) * len(batch)
    p_rows, r_rows, m = draw(_SIDE), draw(_SIDE), draw(_SIDE)
    return (batch + (p_rows, m), other_batch + (r_rows, m)), \
        {"p": draw(st.sampled_from([2.0, 1.0, 3.0, 0.0]))}



def _cdist_ref(a, b, p):
    return _pnorm(a[..., :, None, :] - b[..., None, :, :], p, -1)


register(OpSpec("cdist", lambda a, b, p: autograd.cdist(a, b, p), _cdist_ref, FAMILY,
                domains=(_LOW, _HIGH), setup=_cdist_setup(), covers=("Sub",)))
