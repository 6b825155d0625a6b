"""2-D pooling over (N, C, H, W) arrays: max and average over sliding windows, max over
PyTorch's adaptive windows.

Sliding windows are read as a strided view of the padded input (`conv._windows`); `ceil_mode`
adds the padding the last, partial window needs on the bottom / right. Max pooling keeps, per
output, the flat index of its pick in the input plane (H * W, PyTorch's `return_indices`) and
its backward adds g there. These nodes give first derivatives; differentiating their backward
again raises.
"""
import numpy as np

from ..function import Op
from .conv import (_add_windows, _first_order_only, _out_size, _pad, _padded_zeros, _pair,
                   _unpad, _windows)

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_max_pool2d"]


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


def _pool_geometry(input, kernel_size, stride, padding, dilation, ceil_mode, op):
    """(kernel, stride, pads, dilation, out_hw); pads ((top, bottom), (left, right)) include the
    extra bottom / right padding that ceil_mode's last windows read."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected a 3-D or 4-D input, got shape {tuple(input.shape)}")
    kernel = _pair(kernel_size, "kernel_size", op, 1)
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", op, 1)
    padding = _pair(padding, "padding", op, 0)
    dilation = _pair(dilation, "dilation", op, 1)
    if 2 * padding[0] > kernel[0] or 2 * padding[1] > kernel[1]:
        raise RuntimeError(f"{op}: padding {padding} should be at most half of kernel size "
                           f"{kernel}")
    sizes = tuple(input.shape[-2:])
    out_hw = tuple(_pooled_size(*args, ceil_mode)
                   for args in zip(sizes, padding, kernel, stride, dilation))
    if min(out_hw) < 1:
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} is too small for kernel "
                           f"{kernel} (output size {out_hw})")
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, p, k, s, d, o in zip(sizes, padding, kernel, stride, dilation, out_hw))
    return kernel, stride, pads, dilation, out_hw


def _batched(pool, input):
    """Run `pool` (on 4-D inputs) on a 3-D input as a batch of one."""
    if input.ndim == 4:
        return pool(input)
    out = pool(input.unsqueeze(0))
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


# ---------------------------------------------------------------------- max pooling
class _MaxPick:
    """Backward of the max poolings: g added at each output's pick (overlapping windows add
    up). Forward sets `ctx.pick = (flat index in the H * W plane, input shape)`."""

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "max_pool2d")
        idx, shape = ctx.pick
        n, c, h, w = shape
        plane = np.arange(n * c).reshape(n, c, 1, 1) * (h * w)
        sums = np.bincount((plane + idx).reshape(-1), weights=g.reshape(-1),
                           minlength=n * c * h * w)
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

    Shapes: x: (N, C, H, W)  ->  (N, C, OH, OW) (and int64 indices into H * W when asked);
    `options` is (kernel, stride, pads, dilation, out_hw, return_indices).
    """

    @staticmethod
    def forward(ctx, x, options):
        kernel, stride, pads, dilation, out_hw, return_indices = options
        win = _windows(_pad(x, pads, -np.inf), kernel, stride, dilation, out_hw)
        flat = win.reshape(x.shape[:2] + out_hw + (-1,))
        pick = np.argmax(flat, axis=-1)
        i, j = np.divmod(pick, kernel[1])
        rows = np.arange(out_hw[0]).reshape(-1, 1) * stride[0] + i * dilation[0] - pads[0][0]
        cols = np.arange(out_hw[1]) * stride[1] + j * dilation[1] - pads[1][0]
        return _MaxPick._finish(ctx, flat, pick, rows * x.shape[3] + cols, x.shape,
                                return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each window, as `torch.nn.functional.max_pool2d` (stride defaults
    to the kernel size); with `return_indices`, also each pick's flat index into its H * W
    input plane (what `max_unpool2d` takes).

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW),
    OH = floor or ceil((H + 2 padding - dilation (kH - 1) - 1) / stride) + 1
    """
    kernel, stride, pads, dilation, out_hw = _pool_geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    options = (kernel, stride, pads, dilation, out_hw, bool(return_indices))
    return _batched(lambda x: MaxPool2d.apply(x, options), input)


def _adaptive_windows(size, out):
    """PyTorch's adaptive windows [floor(i size / out), ceil((i + 1) size / out)) as an index
    array (out, longest window), clipped to the input, and the mask of real entries."""
    i = np.arange(out)
    starts, ends = (i * size) // out, -((-(i + 1) * size) // out)
    idx = starts[:, None] + np.arange(int((ends - starts).max()))
    return np.minimum(idx, size - 1), idx < ends[:, None]


class AdaptiveMaxPool2d(_MaxPick, Op):
    """z[i, j] = the largest value of adaptive window (i, j) (see `_adaptive_windows`).
    gx: g added at each window's pick.

    Shapes: x: (N, C, H, W)  ->  (N, C, oh, ow) (and int64 indices into H * W when asked);
    `options` is (out_hw, return_indices).
    """

    @staticmethod
    def forward(ctx, x, options):
        (oh, ow), return_indices = options
        rows, row_ok = _adaptive_windows(x.shape[2], oh)
        cols, col_ok = _adaptive_windows(x.shape[3], ow)
        win = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (N, C, oh, ow, kh, kw)
        ok = row_ok[:, None, :, None] & col_ok[None, :, None, :]
        flat = np.where(ok, win, -np.inf).reshape(x.shape[:2] + (oh, ow, -1))
        pick = np.argmax(flat, axis=-1)
        i, j = np.divmod(pick, cols.shape[1])
        idx = rows[np.arange(oh)[:, None], i] * x.shape[3] + cols[np.arange(ow), j]
        return _MaxPick._finish(ctx, flat, pick, idx, x.shape, return_indices)


def _adaptive_size(input, output_size, op):
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected a 3-D or 4-D input, got shape {tuple(input.shape)}")
    sizes = tuple(input.shape[-2:])
    out = (output_size,) * 2 if isinstance(output_size, (int, np.integer)) or \
        output_size is None else tuple(output_size)
    if len(out) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
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

    Shapes: x: (N, C, H, W)  ->  (N, C, OH, OW); `options` is (kernel, stride, pads, out_hw,
    divisor) with divisor a float or an (OH, OW) array.
    """

    @staticmethod
    def forward(ctx, x, options):
        kernel, stride, pads, out_hw, divisor = options
        ctx.options = options
        ctx.shape = x.shape
        win = _windows(_pad(x, pads), kernel, stride, (1, 1), out_hw)
        return win.sum(axis=(4, 5), dtype=x.dtype) / np.asarray(divisor, x.dtype)

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "avg_pool2d")
        kernel, stride, pads, out_hw, divisor = ctx.options
        shape = ctx.shape
        gxp = _padded_zeros(shape, pads, g.dtype)
        share = g / np.asarray(divisor, g.dtype)
        _add_windows(gxp, np.broadcast_to(share[..., None, None], share.shape + kernel), stride,
                     (1, 1))
        return _unpad(gxp, pads, shape), None


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each window, as `torch.nn.functional.avg_pool2d`: zero padding counts in the
    divisor when `count_include_pad`, windows that ceil_mode lets run past the padding are cut
    there, and `divisor_override` replaces the divisor.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW)
    """
    kernel, stride, pads, _, out_hw = _pool_geometry(input, kernel_size, stride, padding, 1,
                                                     ceil_mode, "avg_pool2d")
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or divisor_override == 0:
            raise RuntimeError(f"avg_pool2d: divisor must be not zero, got "
                               f"{divisor_override!r}")
        divisor = float(divisor_override)
    else:
        dh, dw = (_divisors(n, p[0], k, s, o, count_include_pad) for n, p, k, s, o in
                  zip(input.shape[-2:], pads, kernel, stride, out_hw))
        divisor = np.outer(dh, dw).astype(np.float64)
        if np.all(divisor == divisor.flat[0]):
            divisor = float(divisor.flat[0])
    options = (kernel, stride, pads, out_hw, divisor)
    return _batched(lambda x: AvgPool2d.apply(x, options), input)
