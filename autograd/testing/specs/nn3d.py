"""Registry entries: the 3-D convolutions and poolings (loop references written for any number
of spatial dims, exercised here on (N, C, D, H, W))."""
import itertools

import numpy as np
from hypothesis import strategies as st

import autograd
from autograd.ops import pool as _pool
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


def _pooled(size, pad, k, s, d, ceil_mode):
    """PyTorch's pooling output size (its docs' formula, with the ceil-mode rule that the last
    window starts inside the input or the left padding)."""
    span = size + 2 * pad - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + pad else out


@st.composite
def _pool3d_setup(draw, dilated=True, avg=False):
    kernel, stride = _triple(draw, 1, 3), _triple(draw, 1, 2)
    dilation = _triple(draw, 1, 2) if dilated else (1, 1, 1)
    # (no padding along a dilated dim: a window could then hold padding only)
    padding = tuple(draw(st.integers(0, k // 2 if d == 1 else 0))
                    for k, d in zip(kernel, dilation))
    sizes = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 5))
                  for k, d, p in zip(kernel, dilation, padding))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + sizes
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding,
              "ceil_mode": draw(st.booleans())}
    if dilated:
        kwargs["dilation"] = dilation
    if avg:
        kwargs["count_include_pad"] = draw(st.booleans())
        kwargs["divisor_override"] = draw(st.sampled_from([None, None, 3]))
    return (shape,), kwargs


def _max_pool_ref(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Loops over outputs; each window's in-range taps (padding never wins)."""
    sizes = x.shape[2:]
    outs = [_pooled(*a, ceil_mode) for a in zip(sizes, padding, kernel_size, stride, dilation)]
    out = np.empty(x.shape[:2] + tuple(outs), x.dtype)
    for pos in itertools.product(*(range(o) for o in outs)):
        taps = [[t for t in range(i * s - p, i * s - p + d * k, d) if 0 <= t < n]
                for i, s, p, d, k, n in zip(pos, stride, padding, dilation, kernel_size, sizes)]
        out[(slice(None), slice(None)) + pos] = x[np.ix_(range(x.shape[0]), range(x.shape[1]),
                                                         *taps)].max(axis=(2, 3, 4))
    return out


def _avg_pool_ref(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override):
    """Loops over outputs: window sum / (divisor_override, or the window cut at the padded
    edge, or its in-input part)."""
    sizes = x.shape[2:]
    outs = [_pooled(*a, 1, ceil_mode) for a in zip(sizes, padding, kernel_size, stride)]
    out = np.empty(x.shape[:2] + tuple(outs), x.dtype)
    for pos in itertools.product(*(range(o) for o in outs)):
        lo = [i * s - p for i, s, p in zip(pos, stride, padding)]
        hi = [min(a + k, n + p) for a, k, n, p in zip(lo, kernel_size, sizes, padding)]
        inside = tuple(slice(max(a, 0), min(b, n)) for a, b, n in zip(lo, hi, sizes))
        total = x[(slice(None), slice(None)) + inside].sum(axis=(2, 3, 4))
        if divisor_override:
            div = divisor_override
        elif count_include_pad:
            div = np.prod([b - a for a, b in zip(lo, hi)])
        else:
            div = np.prod([sl.stop - sl.start for sl in inside])
        out[(slice(None), slice(None)) + pos] = total / div
    return out


@st.composite
def _adaptive3d_setup(draw):
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + _triple(draw, 1, 5)
    out = (draw(st.integers(1, 6)), draw(st.sampled_from([None, 1, 2, 3])),
           draw(st.integers(1, 4)))
    return (shape,), {"output_size": out}


def _adaptive_ref(reduce):
    def ref(x, output_size):
        sizes = x.shape[2:]
        outs = [n if o is None else o for o, n in zip(output_size, sizes)]
        out = np.empty(x.shape[:2] + tuple(outs), x.dtype)
        for pos in itertools.product(*(range(o) for o in outs)):
            cell = tuple(slice(int(np.floor(i * n / o)), int(np.ceil((i + 1) * n / o)))
                         for i, n, o in zip(pos, sizes, outs))
            out[(slice(None), slice(None)) + pos] = reduce(x[(slice(None), slice(None)) + cell],
                                                           axis=(2, 3, 4))
        return out
    return ref


register(OpSpec("max_pool3d", lambda x, **kw: autograd.max_pool3d(x, **kw), _max_pool_ref,
                FAMILY, domains=(Domain(-3.0, 3.0, distinct=0.05),), setup=_pool3d_setup(),
                covers=("MaxPool3d",), double_backward=False,
                notes="distinct values (ties are kinks); " + _FIRST_ORDER))
register(OpSpec("avg_pool3d", lambda x, **kw: _pool.avg_pool3d(x, **kw), _avg_pool_ref,
                FAMILY, domains=(Domain(-3.0, 3.0),), setup=_pool3d_setup(dilated=False, avg=True),
                covers=("AvgPool3d",), double_backward=False, notes=_FIRST_ORDER))
register(OpSpec("adaptive_max_pool3d", lambda x, **kw: _pool.adaptive_max_pool3d(x, **kw),
                _adaptive_ref(np.max), FAMILY, domains=(Domain(-3.0, 3.0, distinct=0.05),),
                setup=_adaptive3d_setup(), covers=("AdaptiveMaxPool3d",),
                double_backward=False, notes="distinct values (ties are kinks); " + _FIRST_ORDER))
def _adaptive_avg_pool3d(x, **kw):
    from nn import functional  # nn sits on top of autograd: imported when the test runs
    return functional.adaptive_avg_pool3d(x, **kw)


register(OpSpec("adaptive_avg_pool3d", _adaptive_avg_pool3d,
                _adaptive_ref(np.mean), FAMILY, domains=(Domain(-3.0, 3.0),),
                setup=_adaptive3d_setup(), public=(),
                notes="composite of matrix products and means: double backward comes free"))


@st.composite
def _embedding_bag_setup(draw):
    rows, dim = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    length = draw(st.integers(0, 6))
    indices = draw(st.lists(st.integers(0, rows - 1), min_size=length, max_size=length))
    cuts = sorted(draw(st.lists(st.integers(0, length), min_size=0, max_size=3)))
    kwargs = {"indices": tuple(indices), "offsets": (0,) + tuple(cuts),
              "mode": draw(st.sampled_from(["sum", "mean", "max"])),
              "padding_idx": draw(st.sampled_from([None, 0]))}
    return ((rows, dim),), kwargs


def _embedding_bag(weight, indices, offsets, mode, padding_idx):
    from nn import functional  # nn sits on top of autograd: imported when the test runs
    return functional.embedding_bag(autograd.tensor(list(indices), dtype=autograd.int64), weight,
                                    autograd.tensor(list(offsets), dtype=autograd.int64),
                                    mode=mode, padding_idx=padding_idx)


def _embedding_bag_ref(weight, indices, offsets, mode, padding_idx):
    """Loops over bags: the kept rows' sum, mean or maximum (zeros for an empty bag)."""
    ends = offsets[1:] + (len(indices),)
    out = np.zeros((len(offsets), weight.shape[1]), weight.dtype)
    for b, (start, end) in enumerate(zip(offsets, ends)):
        rows = [weight[i] for i in indices[start:end] if i != padding_idx]
        if rows:
            out[b] = {"sum": np.sum, "mean": np.mean, "max": np.max}[mode](rows, axis=0)
    return out


register(OpSpec("embedding_bag", _embedding_bag, _embedding_bag_ref, FAMILY,
                domains=(Domain(-3.0, 3.0, distinct=0.05),), setup=_embedding_bag_setup(),
                public=(), notes="composite (index_select, index_add, scatter_reduce); distinct "
                "values keep max mode's picks clear of ties"))


@st.composite
def _ctc_setup(draw):
    n, c = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    target_lengths = [draw(st.integers(0, 3)) for _ in range(n)]
    # 2 L + 1 frames always fit an alignment, so every loss is finite
    input_lengths = [draw(st.integers(2 * length + 1, 8)) for length in target_lengths]
    t = max(input_lengths) + draw(st.integers(0, 1))
    width = max(target_lengths)
    targets = tuple(tuple(draw(st.integers(1, c - 1)) if j < length else 0
                          for j in range(width)) for length in target_lengths)
    kwargs = {"targets": targets, "input_lengths": tuple(input_lengths),
              "target_lengths": tuple(target_lengths),
              "reduction": draw(st.sampled_from(["none", "sum", "mean"]))}
    return ((t, n, c),), kwargs


def _ctc(x, targets, input_lengths, target_lengths, reduction):
    from nn import functional  # nn sits on top of autograd: imported when the test runs
    return functional.ctc_loss(x.log_softmax(-1),
                               autograd.tensor(np.array(targets, np.int64).reshape(
                                   len(input_lengths), -1)),
                               input_lengths, target_lengths, reduction=reduction)


def _ctc_ref(x, targets, input_lengths, target_lengths, reduction):
    """The forward recursion in probability space, one sample and one frame at a time."""
    p = np.exp(x - x.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    losses = []
    for n, (frames, length) in enumerate(zip(input_lengths, target_lengths)):
        ext = [0]
        for label in targets[n][:length]:
            ext += [label, 0]
        alpha = np.zeros(len(ext), x.dtype)
        alpha[0] = p[0, n, 0]
        if length:
            alpha[1] = p[0, n, ext[1]]
        for t in range(1, frames):
            new = np.zeros_like(alpha)
            for s, label in enumerate(ext):
                total = alpha[s] + (alpha[s - 1] if s >= 1 else 0.0)
                if s >= 2 and label != 0 and label != ext[s - 2]:
                    total += alpha[s - 2]
                new[s] = total * p[t, n, label]
            alpha = new
        losses.append(-np.log(alpha[-1] + (alpha[-2] if length else 0.0)))
    losses = np.array(losses, x.dtype)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return (losses / np.maximum(np.array(target_lengths), 1)).mean().astype(x.dtype)


register(OpSpec("ctc_loss", _ctc, _ctc_ref, FAMILY, domains=(Domain(-2.0, 2.0),),
                setup=_ctc_setup(), covers=("CTCLoss",), public=(), double_backward=False,
                notes="through log_softmax, which cancels the exp(log_probs) term of PyTorch's "
                "gradient; first derivatives only"))
