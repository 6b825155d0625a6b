"""2-D and 3-D pooling over (N, C, *spatial) arrays: max and average over sliding windows,
max over PyTorch's adaptive windows.

Sliding windows are read as a strided view of the padded input (`conv._windows`); `ceil_mode`
adds the padding the last, partial window needs at the end of each dim. Max pooling keeps, per
output, the flat index of its pick in the input plane (H * W or D * H * W, PyTorch's
`return_indices`) and
its backward adds g there. These nodes give first derivatives; differentiating their backward
again raises.
"""
import numpy as np

from ..function import Op
from .conv import (_add_windows, _first_order_only, _ntuple, _pad, _padded_zeros, _unpad,
                   _windows)

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_max_pool2d", "max_pool3d", "avg_pool3d",
           "adaptive_max_pool3d"]


def _pooled_size(size, pad, kernel, stride, dilation, ceil_mode):
    """PyTorch's output size: with `ceil_mode` the last window may run past the padding, but
    it must start inside the input or the left padding."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, op, nd=2):
    """(kernel, stride, pads, dilation, out_sizes) over the last `nd` dims; pads ((before,
    after) per dim) include the extra after-padding that ceil_mode's last windows read."""
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected a {nd + 1}-D or {nd + 2}-D input, got shape "
                           f"{tuple(input.shape)}")
    kernel = _ntuple(kernel_size, "kernel_size", op, 1, nd)
    stride = kernel if stride is None or stride == [] else _ntuple(stride, "stride", op, 1, nd)
    padding = _ntuple(padding, "padding", op, 0, nd)
    dilation = _ntuple(dilation, "dilation", op, 1, nd)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise RuntimeError(f"{op}: padding {padding} should be at most half of kernel size "
                           f"{kernel}")
    sizes = tuple(input.shape[-nd:])
    out_sizes = tuple(_pooled_size(*args, ceil_mode)
                      for args in zip(sizes, padding, kernel, stride, dilation))
    if min(out_sizes) < 1:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} is too small for kernel "
                           f"{kernel} (output size {out_sizes})")
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, p, k, s, d, o in zip(sizes, padding, kernel, stride, dilation,
                                             out_sizes))
    return kernel, stride, pads, dilation, out_sizes


def _batched(pool, input, nd=2):
    """Run `pool` (on batched (N, C, *spatial) inputs) on an unbatched input as a batch of
    one."""
    if input.ndim == nd + 2:
        return pool(input)
    out = pool(input.unsqueeze(0))
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


def _flat_index(coords, sizes):
    """The row-major flat index into a plane of `sizes` from per-dim coordinate arrays."""
    idx = 0
    for c, n in zip(coords, sizes):
        idx = idx * n + c
    return idx


def _along(values, d, nd):
    """A 1-D array of per-position values along output dim d, shaped to broadcast against
    (*out_sizes)."""
    return values.reshape((-1,) + (1,) * (nd - 1 - d))


# ---------------------------------------------------------------------- max pooling
class _MaxPick:
    """Backward of the max poolings: g added at each output's pick (overlapping windows add
    up). Forward sets `ctx.pick = (flat index in the spatial plane, input shape)`."""

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, f"max_pool{g.ndim - 2}d")
        idx, shape = ctx.pick
        n, c = shape[:2]
        size = int(np.prod(shape[2:]))
        plane = np.arange(n * c).reshape((n, c) + (1,) * (len(shape) - 2)) * size
        sums = np.bincount((plane + idx).reshape(-1), weights=g.reshape(-1),
                           minlength=n * c * size)
        return sums.reshape(shape).astype(g.dtype, copy=False), None

    @staticmethod
    def _finish(ctx, flat, pick, idx, shape, return_indices):
        idx = idx.astype(np.int64, copy=False)
        ctx.pick = (idx, shape)
        out = np.take_along_axis(flat, pick[..., None], axis=-1)[..., 0]
        return (out, idx) if return_indices else out


class MaxPool2d(_MaxPick, Op):
    """z = the largest value of each window (padding counts as -inf; the first largest in
    row-major window order wins).   gx: g added at each window's pick.

    Shapes: x: (N, C, *S)  ->  (N, C, *OS) (and int64 indices into the flattened spatial plane
    when asked), for any number of spatial dims (MaxPool3d is the same node under its own
    name); `options` is (kernel, stride, pads, dilation, out_sizes, return_indices).
    """

    @staticmethod
    def forward(ctx, x, options):
        kernel, stride, pads, dilation, out_sizes, return_indices = options
        nd = len(kernel)
        win = _windows(_pad(x, pads, -np.inf), kernel, stride, dilation, out_sizes)
        flat = win.reshape(x.shape[:2] + out_sizes + (-1,))
        pick = np.argmax(flat, axis=-1)
        offsets = np.unravel_index(pick, kernel)
        coords = [_along(np.arange(o) * s - p[0], d, nd) + off * dil
                  for d, (o, s, p, off, dil) in enumerate(zip(out_sizes, stride, pads, offsets,
                                                               dilation))]
        return _MaxPick._finish(ctx, flat, pick, _flat_index(coords, x.shape[2:]), x.shape,
                                return_indices)


class MaxPool3d(MaxPool2d):
    """The 3-D max pooling node: MaxPool2d's arithmetic on (N, C, D, H, W)."""


def _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    kernel, stride, pads, dilation, out_sizes = _pool_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, f"max_pool{nd}d", nd)
    options = (kernel, stride, pads, dilation, out_sizes, bool(return_indices))
    node = MaxPool3d if nd == 3 else MaxPool2d
    return _batched(lambda x: node.apply(x, options), input, nd)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each window, as `torch.nn.functional.max_pool2d` (stride defaults
    to the kernel size); with `return_indices`, also each pick's flat index into its H * W
    input plane (what `max_unpool2d` takes).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW),
    OH = floor or ceil((H + 2 padding - dilation (kH - 1) - 1) / stride) + 1
    """
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, 2)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each window, as `torch.nn.functional.max_pool3d`; indices are flat
    into each D * H * W input volume (what `max_unpool3d` takes).

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW) or (C, OD, OH, OW), each
    floor or ceil((S + 2 padding - dilation (k - 1) - 1) / stride) + 1
    """
    return _max_poolnd(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, 3)


def _adaptive_windows(size, out):
    """PyTorch's adaptive windows [floor(i size / out), ceil((i + 1) size / out)) as an index
    array (out, longest window), clipped to the input, and the mask of real entries."""
    i = np.arange(out)
    starts, ends = (i * size) // out, -((-(i + 1) * size) // out)
    idx = starts[:, None] + np.arange(int((ends - starts).max()))
    return np.minimum(idx, size - 1), idx < ends[:, None]


class AdaptiveMaxPool2d(_MaxPick, Op):
    """z[i, j, ...] = the largest value of adaptive window (i, j, ...) (see
    `_adaptive_windows`).   gx: g added at each window's pick.

    Shapes: x: (N, C, *S)  ->  (N, C, *out) (and int64 indices into the flattened spatial plane
    when asked), any number of spatial dims (AdaptiveMaxPool3d is the same node under its own
    name); `options` is (out_sizes, return_indices).
    """

    @staticmethod
    def forward(ctx, x, options):
        out_sizes, return_indices = options
        nd = len(out_sizes)
        windows = [_adaptive_windows(n, o) for n, o in zip(x.shape[2:], out_sizes)]
        lengths = tuple(w.shape[1] for w, _ in windows)
        # index / mask arrays shaped (*out, *window) with dim d's entries on axes d and nd + d
        shaped = [tuple(a.reshape(tuple(a.shape[0] if k == d else 1 for k in range(nd))
                                  + tuple(a.shape[1] if k == d else 1 for k in range(nd)))
                        for a in pair) for d, pair in enumerate(windows)]
        win = x[(slice(None), slice(None)) + tuple(idx for idx, _ in shaped)]
        ok = True
        for _, mask in shaped:
            ok = ok & mask
        flat = np.where(ok, win, -np.inf).reshape(x.shape[:2] + tuple(out_sizes) + (-1,))
        pick = np.argmax(flat, axis=-1)
        offsets = np.unravel_index(pick, lengths)
        coords = [rows[_along(np.arange(o), d, nd), off]
                  for d, ((rows, _), o, off) in enumerate(zip(windows, out_sizes, offsets))]
        return _MaxPick._finish(ctx, flat, pick, _flat_index(coords, x.shape[2:]), x.shape,
                                return_indices)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """The 3-D adaptive max pooling node: AdaptiveMaxPool2d's arithmetic on (N, C, D, H, W)."""


def _adaptive_size(input, output_size, op, nd=2):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected a {nd + 1}-D or {nd + 2}-D input, got shape "
                           f"{tuple(input.shape)}")
    sizes = tuple(input.shape[-nd:])
    out = (output_size,) * nd if isinstance(output_size, (int, np.integer)) or \
        output_size is None else tuple(output_size)
    if len(out) != nd:
        kind = "a pair" if nd == 2 else f"a tuple of {nd}"
        raise ValueError(f"{op}: output_size must be an int or {kind}, got {output_size!r}")
    out = tuple(int(n if o is None else o) for n, o in zip(sizes, out))
    if min(out) < 0 or (min(out) == 0 and input.numel()):
        raise RuntimeError(f"{op}: output size {out} must be positive (input of shape "
                           f"{tuple(input.shape)})")
    if min(sizes) < 1:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} has an empty spatial dim")
    return out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The largest value of each adaptive window, as
    `torch.nn.functional.adaptive_max_pool2d` (`None` in output_size keeps that dim).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, oh, ow) or (C, oh, ow)
    """
    out_hw = _adaptive_size(input, output_size, "adaptive_max_pool2d")
    return _batched(lambda x: AdaptiveMaxPool2d.apply(x, (out_hw, bool(return_indices))),
                    input)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """The largest value of each adaptive window, as
    `torch.nn.functional.adaptive_max_pool3d` (`None` in output_size keeps that dim; indices
    are flat into each D * H * W volume).

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, od, oh, ow) or (C, od, oh, ow)
    """
    out = _adaptive_size(input, output_size, "adaptive_max_pool3d", 3)
    return _batched(lambda x: AdaptiveMaxPool3d.apply(x, (out, bool(return_indices))), input,
                    3)


# ---------------------------------------------------------------------- average pooling
def _divisors(size, pad, kernel, stride, out, include_pad):
    """Per output position along one dim: the window length counted by PyTorch (windows are
    cut at the padded edge; padding counted only when `include_pad`)."""
    starts = np.arange(out) * stride - pad
    ends = np.minimum(starts + kernel, size + pad)
    if include_pad:
        return ends - starts
    return np.minimum(ends, size) - np.maximum(starts, 0)


class AvgPool2d(Op):
    """z = (sum of each window, zero padding included) / divisor, the divisor being PyTorch's
    (window size, the count of real elements, or `divisor_override`).
    gx: g / divisor added over each window.

    Shapes: x: (N, C, *S)  ->  (N, C, *OS), any number of spatial dims (AvgPool3d is the same
    node under its own name); `options` is (kernel, stride, pads, out_sizes, divisor) with
    divisor a float or an array of shape out_sizes.
    """

    @staticmethod
    def forward(ctx, x, options):
        kernel, stride, pads, out_sizes, divisor = options
        ctx.options = options
        ctx.shape = x.shape
        nd = len(kernel)
        win = _windows(_pad(x, pads), kernel, stride, (1,) * nd, out_sizes)
        return win.sum(axis=tuple(range(-nd, 0)), dtype=x.dtype) / np.asarray(divisor, x.dtype)

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, f"avg_pool{g.ndim - 2}d")
        kernel, stride, pads, out_sizes, divisor = ctx.options
        nd = len(kernel)
        shape = ctx.shape
        gxp = _padded_zeros(shape, pads, g.dtype)
        share = g / np.asarray(divisor, g.dtype)
        _add_windows(gxp, np.broadcast_to(share[(Ellipsis,) + (None,) * nd],
                                          share.shape + kernel), stride, (1,) * nd)
        return _unpad(gxp, pads, shape), None


class AvgPool3d(AvgPool2d):
    """The 3-D average pooling node: AvgPool2d's arithmetic on (N, C, D, H, W)."""


def _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, nd):
    op = f"avg_pool{nd}d"
    kernel, stride, pads, _, out_sizes = _pool_geometry(input, kernel_size, stride, padding, 1,
                                                        ceil_mode, op, nd)
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or divisor_override == 0:
            raise RuntimeError(f"{op}: divisor must be not zero, got {divisor_override!r}")
        divisor = float(divisor_override)
    else:
        per_dim = [_divisors(n, p[0], k, s, o, count_include_pad) for n, p, k, s, o in
                   zip(input.shape[-nd:], pads, kernel, stride, out_sizes)]
        divisor = np.ones((), np.float64)
        for along in per_dim:
            divisor = np.multiply.outer(divisor, along)
        if np.all(divisor == divisor.flat[0]):
            divisor = float(divisor.flat[0])
    options = (kernel, stride, pads, out_sizes, divisor)
    node = AvgPool3d if nd == 3 else AvgPool2d
    return _batched(lambda x: node.apply(x, options), input, nd)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window, as `torch.nn.functional.avg_pool2d`: zero padding counts in the
    divisor when `count_include_pad`, windows that ceil_mode lets run past the padding are cut
    there, and `divisor_override` replaces the divisor.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW)
    """
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, 2)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window, as `torch.nn.functional.avg_pool3d` (the options of
    `avg_pool2d`).

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW) or (C, OD, OH, OW)
    """
    return _avg_poolnd(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, 3)
