"""Registry entries: reductions (sum, mean, prod, max/min, var/std, logsumexp, norm, cumsum)."""
import math

import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, one_shape, register
from ..strategies import Domain, dims

FAMILY = "reduce"
DISTINCT = Domain(-3.0, 3.0, distinct=0.05)
def np_axes(dim, ndim):
    """A PyTorch `dim` (None, int or tuple; 0 and -1 allowed on 0-d) as a NumPy axis."""
    if dim is None or ndim == 0:
        return None
    if isinstance(dim, int):
        return dim % ndim
    return tuple(d % ndim for d in dim)


def _reduce_ref(np_fn):
    def ref(x, dim=None, keepdim=False):
        return np_fn(x, axis=np_axes(dim, x.ndim), keepdims=keepdim)
    return ref


def _dim_keepdim(allow_none=True, allow_tuple=True):
    def kwargs(shapes):
        return st.fixed_dictionaries({
            "dim": dims(len(shapes[0]), allow_none=allow_none, allow_tuple=allow_tuple),
            "keepdim": st.booleans()})
    return kwargs


def _reg(name, fn, ref, domain=Domain(), kwargs=None, **kw):
    register(OpSpec(name, fn, ref, FAMILY, domains=(domain,),
                    kwargs=kwargs or _dim_keepdim(), **kw))


_reg("sum", lambda x, dim, keepdim: autograd.sum(x, dim, keepdim), _reduce_ref(np.sum),
     covers=("Sum",))
_reg("mean", lambda x, dim, keepdim: autograd.mean(x, dim, keepdim), _reduce_ref(np.mean),
     covers=("Mean",), atol32=1e-5, notes="the mean of an empty reduction is nan, as in NumPy")
_reg("prod", lambda x, dim, keepdim: autograd.prod(x, dim, keepdim), _reduce_ref(np.prod),
     Domain(0.5, 1.5), kwargs=_dim_keepdim(allow_tuple=False), covers=("Prod",))
_reg("prod_with_zeros", lambda x, dim, keepdim: autograd.prod(x, dim, keepdim),
     lambda x, dim, keepdim: np.prod(x, axis=np_axes(dim, x.ndim), keepdims=keepdim),
     Domain(-1.5, 1.5, include=(0.0,)), kwargs=_dim_keepdim(allow_tuple=False),
     covers=("Prod",), public=(), double_backward=False,
     notes="exact zeros: first derivatives use the product of the others; double backward of "
           "prod over zeros raises (documented limitation of Prod)")
_reg("amax", lambda x, dim, keepdim: autograd.amax(x, () if dim is None else dim, keepdim),
     _reduce_ref(np.amax), DISTINCT, covers=("AMax",),
     shapes=one_shape(empty=False), notes="distinct values: ties are kinks")
_reg("amin", lambda x, dim, keepdim: autograd.amin(x, () if dim is None else dim, keepdim),
     _reduce_ref(np.amin), DISTINCT, covers=("AMin",), shapes=one_shape(empty=False),
     notes="distinct values: ties are kinks")
_reg("max_all", lambda x: autograd.max(x), lambda x: np.amax(x), DISTINCT,
     kwargs=lambda shapes: st.just({}), covers=("AMax",), shapes=one_shape(empty=False),
     public=("max",))
_reg("min_all", lambda x: autograd.min(x), lambda x: np.amin(x), DISTINCT,
     kwargs=lambda shapes: st.just({}), covers=("AMin",), shapes=one_shape(empty=False),
     public=("min",))


def _max_dim_ref(np_arg, np_red):
    def ref(x, dim, keepdim):
        if x.ndim == 0:
            return x, np.zeros((), np.int64)
        axis = dim % x.ndim
        return np_red(x, axis=axis, keepdims=keepdim), \
            np_arg(x, axis=axis, keepdims=keepdim).astype(np.int64)
    return ref


def _one_dim_keepdim(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0])), "keepdim": st.booleans()})


_reg("max_dim", lambda x, dim, keepdim: tuple(autograd.max(x, dim, keepdim)),
     _max_dim_ref(np.argmax, np.amax), DISTINCT, shapes=one_shape(empty=False),
     kwargs=_one_dim_keepdim, covers=("MaxDim",), public=("max",))
_reg("min_dim", lambda x, dim, keepdim: tuple(autograd.min(x, dim, keepdim)),
     _max_dim_ref(np.argmin, np.amin), DISTINCT, shapes=one_shape(empty=False),
     kwargs=_one_dim_keepdim, covers=("MaxDim",), public=("min",))


# ---------------------------------------------------------------------- var and std
def _var_kwargs(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0]), allow_none=True, allow_tuple=True),
                                  "keepdim": st.booleans(), "correction": st.sampled_from([0, 1])})


def _var_ref(x, dim, keepdim, correction):
    return np.var(x, axis=np_axes(dim, x.ndim), keepdims=keepdim, ddof=correction)


# At least two elements per reduction, distinct, so the variance is positive and finite.
_VAR_SHAPES = one_shape(min_dims=1, min_side=2, empty=False)
_reg("var", lambda x, dim, keepdim, correction: autograd.var(x, dim, keepdim=keepdim,
                                                             correction=correction),
     _var_ref, DISTINCT, kwargs=_var_kwargs, shapes=_VAR_SHAPES, covers=("Mean", "Sum"))
_reg("std", lambda x, dim, keepdim, correction: autograd.std(x, dim, keepdim=keepdim,
                                                             correction=correction),
     lambda x, dim, keepdim, correction: np.sqrt(_var_ref(x, dim, keepdim, correction)),
     DISTINCT, kwargs=_var_kwargs, shapes=_VAR_SHAPES, covers=("Sqrt",))
_reg("var_unbiased_flag", lambda x, unbiased: autograd.var(x, unbiased=unbiased),
     lambda x, unbiased: np.var(x, ddof=1 if unbiased else 0), DISTINCT, shapes=_VAR_SHAPES,
     kwargs=lambda shapes: st.fixed_dictionaries({"unbiased": st.booleans()}),
     covers=("Mean",), public=())
_reg("var_mean", lambda x, dim, keepdim, correction: autograd.var_mean(
        x, dim, keepdim=keepdim, correction=correction),
     lambda x, dim, keepdim, correction: (_var_ref(x, dim, keepdim, correction),
                                          np.mean(x, axis=np_axes(dim, x.ndim),
                                                  keepdims=keepdim)),
     DISTINCT, kwargs=_var_kwargs, shapes=_VAR_SHAPES, covers=("Mean",))
_reg("std_mean", lambda x, dim, keepdim, correction: autograd.std_mean(
        x, dim, keepdim=keepdim, correction=correction),
     lambda x, dim, keepdim, correction: (np.sqrt(_var_ref(x, dim, keepdim, correction)),
                                          np.mean(x, axis=np_axes(dim, x.ndim),
                                                  keepdims=keepdim)),
     DISTINCT, kwargs=_var_kwargs, shapes=_VAR_SHAPES, covers=("Sqrt", "Mean"))


# ---------------------------------------------------------------------- fused reductions
def _logsumexp_ref(x, dim, keepdim):
    axis = np_axes(dim, x.ndim)
    m = np.amax(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdim or axis is None else np.squeeze(out, axis=axis)


_reg("logsumexp", lambda x, dim, keepdim: autograd.logsumexp(x, dim, keepdim), _logsumexp_ref,
     Domain(-5.0, 5.0), kwargs=_dim_keepdim(allow_none=False), covers=("LogSumExp",),
     shapes=one_shape(empty=False))


def _norm_kwargs(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0]), allow_none=True, allow_tuple=True),
                                  "keepdim": st.booleans()})


def _norm_ref(p):
    def ref(x, dim, keepdim):
        a = np.abs(x)
        axis = np_axes(dim, x.ndim)
        if p == math.inf:
            return np.amax(a, axis=axis, keepdims=keepdim)
        if p == -math.inf:
            return np.amin(a, axis=axis, keepdims=keepdim)
        return np.sum(a ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)
    return ref


_NONZERO = Domain(-3.0, 3.0, avoid=(0.0,), gap=0.2)
_reg("norm", lambda x, dim, keepdim: autograd.norm(x, 2, dim, keepdim), _norm_ref(2), _NONZERO,
     kwargs=_norm_kwargs, covers=("Norm2",), shapes=one_shape(empty=False),
     notes="away from the zero vector, where the 2-norm has a kink")
_reg("norm_fro", lambda x, dim, keepdim: autograd.norm(x, "fro", dim, keepdim), _norm_ref(2),
     _NONZERO, kwargs=_norm_kwargs, covers=("Norm2",), shapes=one_shape(empty=False),
     public=())
_reg("norm_p1", lambda x, dim, keepdim: autograd.norm(x, 1, dim, keepdim), _norm_ref(1),
     _NONZERO, kwargs=_norm_kwargs, covers=("Sum", "Abs"), public=())
_reg("norm_inf", lambda x, dim, keepdim: autograd.norm(x, math.inf, dim, keepdim),
     _norm_ref(math.inf), Domain(0.2, 3.0, distinct=0.05), kwargs=_norm_kwargs,
     covers=("AMax", "Abs"), shapes=one_shape(empty=False), public=(),
     notes="distinct magnitudes: ties are kinks")
_reg("norm_neg_inf", lambda x, dim, keepdim: autograd.norm(x, -math.inf, dim, keepdim),
     _norm_ref(-math.inf), Domain(-3.0, -0.2, distinct=0.05), kwargs=_norm_kwargs,
     covers=("AMin", "Abs"), shapes=one_shape(empty=False), public=(),
     notes="distinct magnitudes: ties are kinks")
_reg("norm_p3", lambda x, dim, keepdim: autograd.norm(x, 3, dim, keepdim), _norm_ref(3),
     _NONZERO, kwargs=_norm_kwargs, covers=("Pow", "Sum", "Abs"),
     shapes=one_shape(empty=False), public=())


def _cum_kwargs(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0]))})


def _cum_ref(np_fn):
    def ref(x, dim):
        return np_fn(x, axis=dim % x.ndim) if x.ndim else x.copy()
    return ref


_reg("cumsum", lambda x, dim: autograd.cumsum(x, dim), _cum_ref(np.cumsum), kwargs=_cum_kwargs,
     covers=("Cumsum",))
_reg("cumprod", lambda x, dim: autograd.cumprod(x, dim), _cum_ref(np.cumprod),
     Domain(0.5, 1.5), kwargs=_cum_kwargs, covers=("Mul",))
