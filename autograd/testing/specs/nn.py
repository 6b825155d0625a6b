"""Registry entries: the fused neural-net primitives (softmax, log_softmax, logsigmoid, softplus,
linear)."""
import numpy as np
from hypothesis import strategies as st

import autograd
from autograd.ops import pool as _pool
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
def _pool_setup(draw, dilated=True, avg=False):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    # (no padding along a dilated dim: a window could then hold padding only)
    padding = tuple(draw(st.integers(0, k // 2 if d == 1 else 0))
                    for k, d in zip(kernel, dilation))
    sizes = [draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 6))
             for k, d, p in zip(kernel, dilation, padding)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sizes)
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding,
              "ceil_mode": draw(st.booleans())}
    if dilated:
        kwargs["dilation"] = dilation
    if avg:
        kwargs["count_include_pad"] = draw(st.booleans())
        kwargs["divisor_override"] = draw(st.sampled_from([None, None, 3]))
    return (shape,), kwargs


def _pooled(size, pad, k, s, d, ceil_mode):
    """PyTorch's pooling output size (its docs' formula, with the ceil-mode rule that the last
    window starts inside the input or the left padding)."""
    span = size + 2 * pad - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + pad else out


def _max_pool_ref(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Loops over outputs; each window's in-range taps (padding never wins)."""
    (h, w), (kh, kw), (ph, pw) = x.shape[2:], kernel_size, padding
    oh = _pooled(h, ph, kh, stride[0], dilation[0], ceil_mode)
    ow = _pooled(w, pw, kw, stride[1], dilation[1], ceil_mode)
    out = np.empty(x.shape[:2] + (oh, ow), x.dtype)
    for i in range(oh):
        rows = [r for r in range(i * stride[0] - ph, i * stride[0] - ph + dilation[0] * kh,
                                 dilation[0]) if 0 <= r < h]
        for j in range(ow):
            cols = [c for c in range(j * stride[1] - pw, j * stride[1] - pw + dilation[1] * kw,
                                     dilation[1]) if 0 <= c < w]
            out[:, :, i, j] = x[:, :, rows][:, :, :, cols].max(axis=(2, 3))
    return out


def _avg_pool_ref(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override):
    """Loops over outputs: window sum / (divisor_override, or the window cut at the padded
    edge, or its in-input part)."""
    (h, w), (kh, kw), (ph, pw) = x.shape[2:], kernel_size, padding
    oh = _pooled(h, ph, kh, stride[0], 1, ceil_mode)
    ow = _pooled(w, pw, kw, stride[1], 1, ceil_mode)
    out = np.empty(x.shape[:2] + (oh, ow), x.dtype)
    for i in range(oh):
        r0 = i * stride[0] - ph
        r1 = min(r0 + kh, h + ph)
        for j in range(ow):
            c0 = j * stride[1] - pw
            c1 = min(c0 + kw, w + pw)
            total = x[:, :, max(r0, 0):min(r1, h), max(c0, 0):min(c1, w)].sum(axis=(2, 3))
            if divisor_override:
                div = divisor_override
            elif count_include_pad:
                div = (r1 - r0) * (c1 - c0)
            else:
                div = (min(r1, h) - max(r0, 0)) * (min(c1, w) - max(c0, 0))
            out[:, :, i, j] = total / div
    return out


@st.composite
def _adaptive_setup(draw):
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 6)),
             draw(st.integers(1, 6)))
    out = (draw(st.integers(1, 7)), draw(st.sampled_from([None, 1, 2, 3, 4])))
    return (shape,), {"output_size": out}


def _adaptive_max_ref(x, output_size):
    h, w = x.shape[2:]
    oh, ow = (h if o is None else o for o, h in zip(output_size, (h, w)))
    out = np.empty(x.shape[:2] + (oh, ow), x.dtype)
    for i in range(oh):
        rows = slice(int(np.floor(i * h / oh)), int(np.ceil((i + 1) * h / oh)))
        for j in range(ow):
            cols = slice(int(np.floor(j * w / ow)), int(np.ceil((j + 1) * w / ow)))
            out[:, :, i, j] = x[:, :, rows, cols].max(axis=(2, 3))
    return out


_FIRST_ORDER = "first derivatives only: the backward of conv2d and pooling is not recorded"
register(OpSpec("conv2d", lambda x, w, b, **kw: autograd.conv2d(x, w, b, **kw), _conv_ref,
                FAMILY, domains=(Domain(-2.0, 2.0),) * 3, setup=_conv_setup(),
                covers=("Conv2d",), double_backward=False, notes=_FIRST_ORDER))
register(OpSpec("max_pool2d", lambda x, **kw: autograd.max_pool2d(x, **kw), _max_pool_ref,
                FAMILY, domains=(Domain(-3.0, 3.0, distinct=0.05),),
                setup=_pool_setup(), covers=("MaxPool2d",), double_backward=False,
                notes="distinct values (ties are kinks); " + _FIRST_ORDER))
register(OpSpec("avg_pool2d", lambda x, **kw: autograd.avg_pool2d(x, **kw), _avg_pool_ref,
                FAMILY, domains=(Domain(-3.0, 3.0),),
                setup=_pool_setup(dilated=False, avg=True), covers=("AvgPool2d",),
                double_backward=False, notes=_FIRST_ORDER))
register(OpSpec("adaptive_max_pool2d", lambda x, **kw: _pool.adaptive_max_pool2d(x, **kw),
                _adaptive_max_ref, FAMILY, domains=(Domain(-3.0, 3.0, distinct=0.05),),
                setup=_adaptive_setup(), covers=("AdaptiveMaxPool2d",), double_backward=False,
                notes="distinct values (ties are kinks); " + _FIRST_ORDER))


@st.composite
def _conv_transpose_setup(draw):
    groups = draw(st.sampled_from([1, 2]))
    n, cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    sizes = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    # padding may crop the output down to one pixel, not further
    padding = tuple(draw(st.integers(0, max(0, ((n - 1) * s + d * (k - 1) + q) // 2)))
                    for n, s, d, k, q in zip(sizes, stride, dilation, kernel, output_padding))
    shapes = ((n, cg * groups, *sizes), (cg * groups, og, *kernel), (og * groups,))
    return shapes, {"stride": stride, "padding": padding, "output_padding": output_padding,
                    "groups": groups, "dilation": dilation}


def _conv_transpose_ref(x, w, b, stride, padding, output_padding, groups, dilation):
    """Each input pixel adds x * w[c] at its strided, dilated window of a padded output, which
    is then cropped by the padding."""
    n, c, h, wd = x.shape
    og, kh, kw = w.shape[1:]
    cg = c // groups
    full = ((h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0],
            (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1])
    out = np.zeros((n, og * groups) + full, x.dtype)
    for ci in range(c):
        o0 = (ci // cg) * og
        for i in range(h):
            for j in range(wd):
                for a in range(kh):
                    for e in range(kw):
                        r, q = i * stride[0] + a * dilation[0], j * stride[1] + e * dilation[1]
                        out[:, o0:o0 + og, r, q] += x[:, ci, i, j][:, None] * w[ci, :, a, e]
    ph, pw = padding
    out = out[:, :, ph:full[0] - ph, pw:full[1] - pw]
    return out + b[:, None, None]


register(OpSpec("conv_transpose2d", lambda x, w, b, **kw: autograd.conv_transpose2d(x, w, b, **kw),
                _conv_transpose_ref, FAMILY, domains=(Domain(-2.0, 2.0),) * 3,
                setup=_conv_transpose_setup(), covers=("ConvTranspose2d",),
                double_backward=False, notes=_FIRST_ORDER))
