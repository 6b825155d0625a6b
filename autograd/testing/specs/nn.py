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


# ---------------------------------------------------------------------- convolution and pooling
def _pads(padding):
    return (padding, padding) if isinstance(padding, int) else tuple(padding)


@st.composite
def _conv_setup(draw):
    groups = draw(st.sampled_from([1, 2]))
    n, cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(st.sampled_from([0, 1, (1, 0)]))
    sizes = [draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 6))
             for k, d, p in zip(kernel, dilation, _pads(padding))]
    shapes = ((n, cg * groups, *sizes), (og * groups, cg, *kernel), (og * groups,))
    return shapes, {"stride": stride, "padding": padding, "dilation": dilation,
                    "groups": groups}


def _conv_ref(x, w, b, stride, padding, dilation, groups):
    """Direct summation over every output position, channel and kernel offset."""
    ph, pw = _pads(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    o, cg, kh, kw = w.shape
    oh = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((x.shape[0], o, oh, ow), x.dtype)
    og = o // groups
    for k in range(o):
        c0 = (k // og) * cg
        for i in range(oh):
            for j in range(ow):
                r, c = i * stride[0], j * stride[1]
                patch = xp[:, c0:c0 + cg, r:r + dilation[0] * (kh - 1) + 1:dilation[0],
                           c:c + dilation[1] * (kw - 1) + 1:dilation[1]]
                out[:, k, i, j] = (patch * w[k]).sum(axis=(1, 2, 3)) + b[k]
    return out


@st.composite
def _pool_setup(draw, dilated=True):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    # (no padding along a dilated dim: a window could then hold padding only)
    padding = tuple(draw(st.integers(0, k // 2 if d == 1 else 0))
                    for k, d in zip(kernel, dilation))
    sizes = [draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 6))
             for k, d, p in zip(kernel, dilation, padding)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sizes)
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if dilated:
        kwargs["dilation"] = dilation
    return (shape,), kwargs


def _pool_ref(reduce, fill):
    def ref(x, kernel_size, stride, padding, dilation=(1, 1)):
        ph, pw = padding
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
        kh, kw = kernel_size
        oh = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        out = np.empty(x.shape[:2] + (oh, ow), x.dtype)
        for i in range(oh):
            for j in range(ow):
                r, c = i * stride[0], j * stride[1]
                out[:, :, i, j] = reduce(xp[:, :, r:r + dilation[0] * (kh - 1) + 1:dilation[0],
                                            c:c + dilation[1] * (kw - 1) + 1:dilation[1]],
                                         axis=(2, 3))
        return out
    return ref


_FIRST_ORDER = "first derivatives only: the backward of conv2d and pooling is not recorded"
register(OpSpec("conv2d", lambda x, w, b, **kw: autograd.conv2d(x, w, b, **kw), _conv_ref,
                FAMILY, domains=(Domain(-2.0, 2.0),) * 3, setup=_conv_setup(),
                covers=("Conv2d",), double_backward=False, notes=_FIRST_ORDER))
register(OpSpec("max_pool2d", lambda x, **kw: autograd.max_pool2d(x, **kw),
                _pool_ref(np.max, -np.inf), FAMILY, domains=(Domain(-3.0, 3.0, distinct=0.05),),
                setup=_pool_setup(), covers=("MaxPool2d",), double_backward=False,
                notes="distinct values (ties are kinks); " + _FIRST_ORDER))
register(OpSpec("avg_pool2d", lambda x, **kw: autograd.avg_pool2d(x, **kw),
                _pool_ref(np.mean, 0.0), FAMILY, domains=(Domain(-3.0, 3.0),),
                setup=_pool_setup(dilated=False), covers=("AvgPool2d",), double_backward=False,
                notes=_FIRST_ORDER))
