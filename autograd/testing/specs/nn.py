"""Registry entries: the fused neural-net primitives (softmax, log_softmax, logsigmoid, softplus,
linear)."""
import numpy as np
from hypothesis import strategies as st

import autograd
from .. import _core_bugs
from ..registry import OpSpec, one_shape, register
from ..strategies import Domain, dims, shapes

FAMILY = "nn"


def _softmax_ref(x, dim):
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True, initial=-np.inf))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax_ref(x, dim):
    if x.ndim == 0:
        return np.zeros_like(x)
    shifted = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


# Empty dims wait for the core fix of _core_bugs.SOFTMAX_EMPTY_OK.
_SOFTMAX_SHAPES = one_shape(empty=_core_bugs.SOFTMAX_EMPTY_OK)


def _dim_kwargs(shapes):
    return st.fixed_dictionaries({"dim": dims(len(shapes[0]))})


register(OpSpec("softmax", lambda x, dim: autograd.softmax(x, dim), _softmax_ref, FAMILY,
                domains=(Domain(-5.0, 5.0),), kwargs=_dim_kwargs,
                shapes=_SOFTMAX_SHAPES, covers=("Softmax",)))
register(OpSpec("log_softmax", lambda x, dim: autograd.log_softmax(x, dim), _log_softmax_ref,
                FAMILY, domains=(Domain(-5.0, 5.0),), kwargs=_dim_kwargs,
                shapes=_SOFTMAX_SHAPES, covers=("LogSoftmax",)))
register(OpSpec("softmax_method", lambda x, dim: x.softmax(dim), _softmax_ref, FAMILY,
                domains=(Domain(-5.0, 5.0),), kwargs=_dim_kwargs, public=(),
                shapes=_SOFTMAX_SHAPES, covers=("Softmax",)))
register(OpSpec("logsigmoid", autograd.logsigmoid, lambda x: -np.logaddexp(0.0, -x), FAMILY,
                domains=(Domain(-6.0, 6.0),), covers=("LogSigmoid",)))
register(OpSpec("softplus", autograd.softplus, lambda x: np.logaddexp(0.0, x), FAMILY,
                domains=(Domain(-5.0, 5.0),), covers=("Softplus",)))


def _softplus_ref(x, beta, threshold):
    return np.where(x * beta > threshold, x, np.logaddexp(0.0, beta * x) / beta)


register(OpSpec("softplus_beta_threshold",
                lambda x, beta, threshold: autograd.softplus(x, beta, threshold), _softplus_ref,
                FAMILY, domains=(Domain(-3.0, 3.0, avoid=(0.5,), gap=0.1),),
                kwargs=lambda s: st.just({"beta": 2.0, "threshold": 1.0}), public=(),
                covers=("Softplus",),
                notes="x * beta = threshold is a kink (the linear branch takes over)"))


@st.composite
def _linear_shapes(draw, bias):
    batch = draw(shapes(min_dims=0, max_dims=2))
    d_in, d_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    out = (batch + (d_in,), (d_out, d_in))
    return out + ((d_out,),) if bias else out


register(OpSpec("linear", autograd.linear, lambda x, w, b: x @ w.T + b, FAMILY,
                domains=(Domain(),) * 3, shapes=_linear_shapes(True), covers=("Linear",)))
register(OpSpec("linear_no_bias", autograd.linear, lambda x, w: x @ w.T, FAMILY,
                domains=(Domain(),) * 2, shapes=_linear_shapes(False), covers=("Linear",),
                public=()))
