"""Adaptive pooling and max unpooling (re-exported by `nn.functional`).

Adaptive windows follow PyTorch: cell i of an output of size `out` over a dim of size `L` reads
[floor(i L / out), ceil((i + 1) L / out)). Averages over them are separable, so the average
pooling is two matrix products with constant averaging matrices (double backward comes free);
the maximum is the `AdaptiveMaxPool2d` node. The 1-D forms run the 2-D ones on a height-1
image.
"""
import numpy as np

import autograd
from autograd.ops.pool import _adaptive_size, adaptive_max_pool2d
from autograd.ops.pool import adaptive_max_pool3d  # noqa: F401
from autograd.tensor import Tensor, _make

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "max_unpool1d", "max_unpool2d"]
__all__ += ["adaptive_avg_pool3d", "adaptive_max_pool3d", "max_unpool3d"]


def _on_height_one(op, input, *args):
    """The 2-D `op` on (N, C, L) or (C, L) seen as a height-1 image."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{op.__name__.replace('2d', '1d')}: expected a 2-D or 3-D input "
                           f"(N, C, L), got shape {tuple(input.shape)}")
    out = op(input.unsqueeze(-2), *args)
    return tuple(o.squeeze(-2) for o in out) if isinstance(out, tuple) else out.squeeze(-2)


def _one(value):
    return value if isinstance(value, (int, np.integer)) or value is None else value[0]


def _averaging_matrix(size, out, dtype):
    """(out, size): row i holds 1 / len over adaptive window i, 0 elsewhere."""
    i = np.arange(out)[:, None]
    starts, ends = (i * size) // out, -((-(i + 1) * size) // out)
    j = np.arange(size)
    return _make(((j >= starts) & (j < ends)) / (ends - starts).astype(dtype), None)


def adaptive_avg_pool2d(input, output_size):
    """The mean of each adaptive window (any output size; `None` keeps a dim), as
    `torch.nn.functional.adaptive_avg_pool2d`: A_h @ x @ A_w^T with averaging matrices A.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, oh, ow) or (C, oh, ow)
    """
    oh, ow = _adaptive_size(input, output_size, "adaptive_avg_pool2d")
    h, w = input.shape[-2:]
    if h % oh == 0 and w % ow == 0:  # equal windows: one reshaped mean
        lead = tuple(input.shape[:-2])
        return input.reshape(lead + (oh, h // oh, ow, w // ow)).mean((-3, -1))
    dt = input.dtype
    rows = input if ow == w else input @ _averaging_matrix(w, ow, dt).t()
    return rows if oh == h else _averaging_matrix(h, oh, dt) @ rows


def adaptive_avg_pool3d(input, output_size):
    """The mean of each adaptive window (any output size; `None` keeps a dim), as
    `torch.nn.functional.adaptive_avg_pool3d`: one averaging matrix product per spatial dim
    (a reshaped mean when every window has the same length).

    Shapes: (N, C, D, H, W) or (C, D, H, W) -> (N, C, od, oh, ow) or (C, od, oh, ow)
    """
    out = _adaptive_size(input, output_size, "adaptive_avg_pool3d", 3)
    sizes = tuple(input.shape[-3:])
    lead = tuple(input.shape[:-3])
    if all(n % o == 0 for n, o in zip(sizes, out)):  # equal windows: one reshaped mean
        split = sum(((o, n // o) for n, o in zip(sizes, out)), ())
        return input.reshape(lead + split).mean((-5, -3, -1))
    result = input
    for d, (n, o) in enumerate(zip(sizes, out)):
        if n != o:
            axis = d - 3
            moved = result.transpose(axis, -1) @ _averaging_matrix(n, o, input.dtype).t()
            result = moved.transpose(axis, -1)
    return result


def adaptive_avg_pool1d(input, output_size):
    """The mean of each adaptive window.   Shapes: (N, C, L) or (C, L) -> (N, C, out)"""
    return _on_height_one(adaptive_avg_pool2d, input, (1, _one(output_size)))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The largest value of each adaptive window (and its index along L when asked).
    Shapes: (N, C, L) or (C, L) -> (N, C, out)"""
    return _on_height_one(adaptive_max_pool2d, input, (1, _one(output_size)), return_indices)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value at its flat index into the D * H * W volume (from
    `max_pool3d(..., return_indices=True)`) in zeros, as `torch.nn.functional.max_unpool3d`.

    Shapes: input, indices: (N, C, D, H, W) or (C, D, H, W)  ->  (N, C, OD, OH, OW),
    each (S - 1) stride - 2 padding + k unless `output_size` is given.
    """
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 3)


def _seq(value, n):
    return (int(value),) * n if isinstance(value, (int, np.integer)) else tuple(value)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value at its flat index (from `max_pool2d(..., return_indices=True)`) in a
    zero plane, as `torch.nn.functional.max_unpool2d`.

    Shapes: input, indices: (N, C, H, W) or (C, H, W)  ->  (N, C, OH, OW),
    OH = (H - 1) stride - 2 padding + kH unless `output_size` is given.
    """
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Put each value at its index along L.   Shapes: (N, C, L) or (C, L) -> (N, C, OL)"""
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def _unpool(input, indices, kernel_size, stride, padding, output_size, dims):
    op = f"max_unpool{dims}d"
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if input.ndim not in (dims + 1, dims + 2) or tuple(idx.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: expected a {dims + 1}-D or {dims + 2}-D input and indices "
                           f"of the same shape, got input of shape {tuple(input.shape)} and "
                           f"indices of shape {tuple(idx.shape)}")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected indices of an integer dtype, got {idx.dtype}")
    kernel = _seq(kernel_size, dims)
    stride = kernel if stride is None else _seq(stride, dims)
    padding = _seq(padding, dims)
    sizes = tuple(input.shape[-dims:])
    if output_size is None:
        out = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(sizes, stride, padding, kernel))
    else:
        out = tuple(int(o) for o in tuple(output_size)[-dims:])
        for d, (n, s, p, k, o) in enumerate(zip(sizes, stride, padding, kernel, out)):
            default = (n - 1) * s - 2 * p + k
            if not default - s < o < default + s:  # PyTorch's check
                raise ValueError(f"{op}: invalid output_size {out} (dim {d} must be between "
                                 f"{default - s} and {default + s})")
    lead = tuple(input.shape[:-dims])
    plane = int(np.prod(out))
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx[(idx < 0) | (idx >= plane)].flat[0]
        raise RuntimeError(f"{op}: Found an invalid max index: {int(bad)} (output volumes are "
                           f"of size {'x'.join(map(str, out))})")
    flat = input.reshape(lead + (-1,))
    zeros = autograd.zeros(lead + (plane,), dtype=input.dtype)
    index = _make(idx.reshape(lead + (-1,)).astype(np.int64, copy=False), None)
    return autograd.scatter(zeros, -1, index, flat).reshape(lead + out)
