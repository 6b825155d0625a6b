"""Registry entries: fused normalisation ops (layer norm, batch norm train/eval, RMS norm).

Values are drawn distinct so no normalised group has (near) zero variance, where the
derivatives blow up.
"""
import numpy as np
from hypothesis import strategies as st

from autograd.ops import norm as _norm
from ..registry import OpSpec, register
from ..strategies import Domain, shapes

FAMILY = "norm"
EPS = 1e-5
SPREAD = Domain(-3.0, 3.0, distinct=0.05)
POSITIVE = Domain(0.5, 2.0)


@st.composite
def _trailing_setup(draw, n_params):
    """x: (*, *normalized_shape), parameters: normalized_shape; axes: the trailing dims."""
    batch = draw(shapes(min_dims=0, max_dims=2))
    normalized = draw(shapes(min_dims=1, max_dims=2, min_side=2))
    axes = tuple(range(len(batch), len(batch) + len(normalized)))
    return (batch + normalized,) + (normalized,) * n_params, {"axes": axes}


def _layer_norm_ref(x, weight=None, bias=None, axes=()):
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + EPS)
    if weight is not None:
        y = y * weight
    return y + bias if bias is not None else y


register(OpSpec("layer_norm", lambda x, w, b, axes: _norm.layer_norm(x, w, b, axes, EPS),
                _layer_norm_ref, FAMILY, domains=(SPREAD, Domain(), Domain()),
                setup=_trailing_setup(2), covers=("LayerNorm",), atol32=1e-4, rtol32=1e-3))
register(OpSpec("layer_norm_no_affine", lambda x, axes: _norm.layer_norm(x, None, None, axes, EPS),
                lambda x, axes: _layer_norm_ref(x, axes=axes), FAMILY, domains=(SPREAD,),
                setup=_trailing_setup(0), covers=("LayerNorm",), atol32=1e-4, rtol32=1e-3))


def _rms_norm_ref(x, weight=None, axes=()):
    y = x / np.sqrt((x * x).mean(axis=axes, keepdims=True) + EPS)
    return y * weight if weight is not None else y


register(OpSpec("rms_norm", lambda x, w, axes: _norm.rms_norm(x, w, axes, EPS), _rms_norm_ref,
                FAMILY, domains=(SPREAD, Domain()), setup=_trailing_setup(1), covers=("RMSNorm",),
                atol32=1e-4, rtol32=1e-3))
register(OpSpec("rms_norm_no_weight", lambda x, axes: _norm.rms_norm(x, None, axes, EPS),
                lambda x, axes: _rms_norm_ref(x, axes=axes), FAMILY, domains=(SPREAD,),
                setup=_trailing_setup(0), covers=("RMSNorm",), atol32=1e-4, rtol32=1e-3))


@st.composite
def _channel_shapes(draw, n_params):
    """x: (N, C) or (N, C, L); per-channel parameters (C,); at least 2 values per channel."""
    c = draw(st.integers(1, 3))
    x = draw(st.sampled_from([(2, c), (3, c), (1, c, 2), (2, c, 2)]))
    return (x,) + ((c,),) * n_params


def _channel_view(x, v):
    return v.reshape((1, -1) + (1,) * (x.ndim - 2))


def _batch_norm_train_ref(x, weight=None, bias=None):
    axes = (0,) + tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + EPS)
    if weight is not None:
        y = y * _channel_view(x, weight)
    if bias is not None:
        y = y + _channel_view(x, bias)
    return y, mean.reshape(-1), var.reshape(-1)


register(OpSpec("batch_norm_train", lambda x, w, b: _norm.batch_norm_train(x, w, b, EPS),
                _batch_norm_train_ref, FAMILY, domains=(SPREAD, Domain(), Domain()),
                shapes=_channel_shapes(2), covers=("BatchNormTrain",), atol32=1e-4, rtol32=1e-3,
                notes="the batch statistics are outputs marked non-differentiable"))
register(OpSpec("batch_norm_train_no_affine",
                lambda x: _norm.batch_norm_train(x, None, None, EPS),
                _batch_norm_train_ref, FAMILY, domains=(SPREAD,), shapes=_channel_shapes(0),
                covers=("BatchNormTrain",), atol32=1e-4, rtol32=1e-3))


@st.composite
def _eval_setup(draw):
    x, w, b = draw(_channel_shapes(2))
    c = w[0]
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    return (x, w, b), {"running_mean": rng.uniform(-1, 1, c),
                       "running_var": rng.uniform(0.5, 2.0, c)}


def _batch_norm_eval_ref(x, weight, bias, running_mean, running_var):
    y = (x - _channel_view(x, running_mean)) / np.sqrt(_channel_view(x, running_var) + EPS)
    return y * _channel_view(x, weight) + _channel_view(x, bias)


def _batch_norm_eval(x, w, b, running_mean, running_var):
    rm, rv = (np.asarray(a, x.dtype) for a in (running_mean, running_var))
    return _norm.batch_norm_eval(x, _tensor(rm), _tensor(rv), w, b, EPS)


def _tensor(a):
    import autograd
    return autograd.tensor(a)


register(OpSpec("batch_norm_eval", _batch_norm_eval, _batch_norm_eval_ref, FAMILY,
                domains=(Domain(), Domain(), Domain()), setup=_eval_setup(),
                covers=("BatchNormEval",), atol32=1e-4, rtol32=1e-3,
                notes="running statistics are constants (no gradient)"))
