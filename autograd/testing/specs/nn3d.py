"""Registry entries: the 3-D convolutions and poolings (loop references written for any number
of spatial dims, exercised here on (N, C, D, H, W))."""
import itertools

import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain

FAMILY = "nn"
_FIRST_ORDER = "first derivatives only: the backward of convolution and pooling is not recorded"


def _triple(draw, lo, hi):
    return tuple(draw(st.integers(lo, hi)) for _ in range(3))


@st.composite
def _conv3d_setup(draw):
    groups = draw(st.sampled_from([1, 2]))
    n, cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel, stride, dilation = _triple(draw, 1, 2), _triple(draw, 1, 2), _triple(draw, 1, 2)
    padding = draw(st.sampled_from(["int", "same", "valid"]))
    if padding == "same":
        stride = (1, 1, 1)
        pads = tuple(((d * (k - 1)) // 2, d * (k - 1) - (d * (k - 1)) // 2)
                     for k, d in zip(kernel, dilation))
    elif padding == "valid":
        pads = ((0, 0),) * 3
    else:
        padding = _triple(draw, 0, 1)
        pads = tuple((p, p) for p in padding)
    sizes = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - sum(p)), 4))
                  for k, d, p in zip(kernel, dilation, pads))
    shapes = ((n, cg * groups) + sizes, (og * groups, cg) + kernel, (og * groups,))
    return shapes, {"stride": stride, "padding": padding, "dilation": dilation,
                    "groups": groups}


def _conv_ref(x, w, b, stride, padding, dilation, groups):
    """Direct summation over every output position and output channel."""
    nd = x.ndim - 2
    kernel = w.shape[2:]
    if padding == "valid":
        pads = ((0, 0),) * nd
    elif padding == "same":
        pads = tuple(((d * (k - 1)) // 2, d * (k - 1) - (d * (k - 1)) // 2)
                     for k, d in zip(kernel, dilation))
    else:
        pads = tuple((p, p) for p in padding)
    xp = np.pad(x, ((0, 0), (0, 0)) + pads)
    o, cg = w.shape[:2]
    og = o // groups
    out_sizes = tuple((n - d * (k - 1) - 1) // s + 1
                      for n, k, s, d in zip(xp.shape[2:], kernel, stride, dilation))
    out = np.zeros((x.shape[0], o) + out_sizes, x.dtype)
    for pos in itertools.product(*(range(m) for m in out_sizes)):
        at = tuple(slice(i * s, i * s + d * (k - 1) + 1, d)
                   for i, s, d, k in zip(pos, stride, dilation, kernel))
        for k in range(o):
            c0 = (k // og) * cg
            patch = xp[(slice(None), slice(c0, c0 + cg)) + at]
            out[(slice(None), k) + pos] = (patch * w[k]).reshape(x.shape[0], -1).sum(1) + b[k]
    return out


@st.composite
def _conv_transpose3d_setup(draw):
    groups = draw(st.sampled_from([1, 2]))
    n, cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kernel, stride, dilation = _triple(draw, 1, 2), _triple(draw, 1, 2), _triple(draw, 1, 2)
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    sizes = _triple(draw, 1, 3)
    padding = tuple(draw(st.integers(0, max(0, ((m - 1) * s + d * (k - 1) + q) // 2)))
                    for m, s, d, k, q in zip(sizes, stride, dilation, kernel, output_padding))
    shapes = ((n, cg * groups) + sizes, (cg * groups, og) + kernel, (og * groups,))
    return shapes, {"stride": stride, "padding": padding, "output_padding": output_padding,
                    "groups": groups, "dilation": dilation}


def _conv_transpose_ref(x, w, b, stride, padding, output_padding, groups, dilation):
    """Each input position adds x * w[c] at its strided, dilated window of an uncropped output,
    which the padding then crops."""
    sizes, kernel = x.shape[2:], w.shape[2:]
    og = w.shape[1]
    cg = x.shape[1] // groups
    full = tuple((m - 1) * s + d * (k - 1) + 1 + q for m, s, d, k, q in
                 zip(sizes, stride, dilation, kernel, output_padding))
    out = np.zeros((x.shape[0], og * groups) + full, x.dtype)
    for c in range(x.shape[1]):
        o0 = (c // cg) * og
        for pos in itertools.product(*(range(m) for m in sizes)):
            for off in itertools.product(*(range(k) for k in kernel)):
                at = tuple(i * s + j * d for i, s, j, d in zip(pos, stride, off, dilation))
                out[(slice(None), slice(o0, o0 + og)) + at] += \
                    x[(slice(None), c) + pos][:, None] * w[(c, slice(None)) + off]
    crop = tuple(slice(p, f - p) for p, f in zip(padding, full))
    return out[(slice(None), slice(None)) + crop] + b.reshape((-1,) + (1,) * len(sizes))


register(OpSpec("conv3d", lambda x, w, b, **kw: autograd.conv3d(x, w, b, **kw), _conv_ref,
                FAMILY, domains=(Domain(-2.0, 2.0),) * 3, setup=_conv3d_setup(),
                covers=("Conv3d",), double_backward=False, notes=_FIRST_ORDER))
register(OpSpec("conv_transpose3d",
                lambda x, w, b, **kw: autograd.conv_transpose3d(x, w, b, **kw),
                _conv_transpose_ref, FAMILY, domains=(Domain(-2.0, 2.0),) * 3,
                setup=_conv_transpose3d_setup(), covers=("ConvTranspose3d",),
                double_backward=False, notes=_FIRST_ORDER))
