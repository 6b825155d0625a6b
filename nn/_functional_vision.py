"""Resampling and rearranging images (re-exported by `nn.functional`): interpolate,
pixel_shuffle / pixel_unshuffle, channel_shuffle, unfold / fold, and the non-constant padding
modes of `pad`.

All are composed from differentiable ops: gathers along one dim (nearest, padding modes),
products with constant interpolation matrices, separable per dim (linear modes), reshapes and
permutes, and the conv nodes with one-hot kernels (unfold is a grouped conv2d, fold its
transpose).
"""
import math

import numpy as np

import autograd
from autograd.ops.conv import conv2d, conv_transpose2d
from autograd.tensor import _make

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "unfold", "fold"]

_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _along(x, dim, index):
    """x gathered along `dim` with the integer array `index` (its gradient accumulates)."""
    return autograd.index_select(x, dim, _make(np.asarray(index, np.int64), None))


def _times(x, dim, matrix):
    """x contracted along `dim` with the constant (out, in) `matrix`: out[.., i, ..] =
    sum_j matrix[i, j] x[.., j, ..]."""
    m = _make(matrix.astype(x.dtype), None)
    return (x.movedim(dim, -1) @ m.t()).movedim(-1, dim)


# ---------------------------------------------------------------------- interpolate
def _nearest_index(size, out, scale, exact):
    """PyTorch's nearest source index (computed in float32 as PyTorch does):
    floor(dst * scale), or floor((dst + 0.5) * scale) for 'nearest-exact', clipped."""
    s = np.float32(size / out if scale is None else 1.0 / scale)
    dst = np.arange(out, dtype=np.float32) + np.float32(0.5 if exact else 0.0)
    return np.minimum(np.floor(dst * s).astype(np.int64), size - 1)


def _linear_matrix(size, out, scale, align_corners):
    """(out, size) weights of linear interpolation: source position src = dst * (size - 1) /
    (out - 1) with align_corners, else (dst + 0.5) / scale - 0.5 clamped at 0; each row mixes
    the two neighbours of src as (1 - frac, frac)."""
    dst = np.arange(out, dtype=np.float64)
    if align_corners:
        src = dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        ratio = size / out if scale is None else 1.0 / scale
        src = np.maximum(ratio * (dst + 0.5) - 0.5, 0.0)
    lo = np.minimum(src.astype(np.int64), size - 1)
    hi = np.minimum(lo + 1, size - 1)
    frac = src - lo
    m = np.zeros((out, size))
    np.add.at(m, (np.arange(out), lo), 1.0 - frac)
    np.add.at(m, (np.arange(out), hi), frac)
    return m


def _output_sizes(input, size, scale_factor, op):
    dims = input.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    if size is not None:
        sizes = (size,) * dims if isinstance(size, (int, np.integer)) else tuple(size)
        if len(sizes) != dims:
            raise ValueError(f"{op}: input of shape {tuple(input.shape)} has {dims} spatial "
                             f"dims, but size {size!r} has {len(sizes)}")
        return tuple(int(s) for s in sizes), (None,) * dims
    scales = (scale_factor,) * dims if isinstance(scale_factor, (int, float)) \
        else tuple(scale_factor)
    if len(scales) != dims:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} has {dims} spatial dims, "
                         f"but scale_factor {scale_factor!r} has {len(scales)}")
    sizes = tuple(int(math.floor(n * float(s))) for n, s in zip(input.shape[2:], scales))
    return sizes, tuple(float(s) for s in scales)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims (all dims after N, C), as `torch.nn.functional.interpolate`:
    modes 'nearest', 'nearest-exact', 'linear' (3-D input), 'bilinear' (4-D), 'trilinear'
    (5-D), with PyTorch's source-index rules (a given scale_factor is used as is unless
    `recompute_scale_factor`).

    Shapes: (N, C, *spatial) -> (N, C, *size) or (N, C, *floor(spatial * scale_factor))
    """
    if mode not in ("nearest", "nearest-exact") and mode not in _LINEAR:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported (nearest, "
                                  f"nearest-exact, linear, bilinear, trilinear)")
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if input.ndim < 3:
        raise ValueError(f"interpolate: expected an input of shape (N, C, *spatial), got "
                         f"{tuple(input.shape)}")
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode]}D input")
    sizes, scales = _output_sizes(input, size, scale_factor, "interpolate")
    if min(sizes) < 1:
        raise ValueError(f"interpolate: output size {sizes} must be positive (input of shape "
                         f"{tuple(input.shape)})")
    if recompute_scale_factor:
        scales = (None,) * len(sizes)
    out = input
    for d, (n, o, s) in enumerate(zip(input.shape[2:], sizes, scales), start=2):
        if mode in _LINEAR:
            out = _times(out, d, _linear_matrix(n, o, s, bool(align_corners)))
        elif o != n:
            out = _along(out, d, _nearest_index(n, o, s, mode == "nearest-exact"))
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """The deprecated name of `interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Bilinear resizing with align_corners=True (what this deprecated function does)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------- rearranging
def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r block.
    """
    r = int(upscale_factor)
    if input.ndim < 3 or input.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but got input of shape "
                           f"{tuple(input.shape)} and upscale_factor={r}")
    *lead, c, h, w = input.shape
    nd = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(nd), nd, nd + 3, nd + 1, nd + 4, nd + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of `pixel_shuffle`."""
    r = int(downscale_factor)
    if input.ndim < 3 or input.shape[-2] % r or input.shape[-1] % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got input of shape {tuple(input.shape)} and "
                           f"downscale_factor={r}")
    *lead, c, h, w = input.shape
    nd = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(nd), nd, nd + 2, nd + 4, nd + 1, nd + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """(N, C, *) with channels (g, C / g) reordered as (C / g, g): interleaves the groups."""
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input of "
                           f"shape {tuple(input.shape)}")
    n, c = input.shape[:2]
    if groups <= 0 or c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = tuple(input.shape[2:])
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


# ---------------------------------------------------------------------- unfold and fold
def _pair(v):
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else tuple(int(a) for a in v)


def _one_hot_kernels(channels, kernel, dtype):
    """(C kh kw, 1, kh, kw): output channel c kh kw + i kw + j picks offset (i, j) of channel
    c (grouped by channel: PyTorch's column order)."""
    kh, kw = kernel
    eye = np.eye(kh * kw, dtype=dtype).reshape(kh * kw, 1, kh, kw)
    return _make(np.tile(eye, (channels, 1, 1, 1)), None)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every sliding block as a column (im2col), as `torch.nn.functional.unfold`.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C kh kw, L) or (C kh kw, L), L the number of
    blocks
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(f"unfold: expected a 3-D or 4-D input, got shape "
                           f"{tuple(input.shape)}")
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    kernel = _pair(kernel_size)
    c = input.shape[1]
    cols = conv2d(input, _one_hot_kernels(c, kernel, input.dtype), None, stride, padding,
                  dilation, c)
    return cols.reshape(input.shape[0], c * kernel[0] * kernel[1], -1)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns back into an image (col2im; overlapping blocks add up), as
    `torch.nn.functional.fold`, the adjoint of `unfold`.

    Shapes: (N, C kh kw, L) or (C kh kw, L) -> (N, C, *output_size) or (C, *output_size)
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"fold: expected a 2-D or 3-D input, got shape {tuple(input.shape)}")
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding,
                    stride).squeeze(0)
    kernel, out = _pair(kernel_size), _pair(output_size)
    dilation, padding, stride = _pair(dilation), _pair(padding), _pair(stride)
    n, ck, length = input.shape
    blocks = tuple((o + 2 * p - d * (k - 1) - 1) // s + 1
                   for o, p, d, k, s in zip(out, padding, dilation, kernel, stride))
    if ck % (kernel[0] * kernel[1]) or min(blocks) < 1 or blocks[0] * blocks[1] != length:
        raise RuntimeError(f"fold: input of shape {tuple(input.shape)} does not match "
                           f"output_size {out} with kernel_size {kernel}, dilation {dilation}, "
                           f"padding {padding} and stride {stride}: expected C * {kernel[0]} * "
                           f"{kernel[1]} rows and {max(blocks[0], 0) * max(blocks[1], 0)} "
                           f"blocks")
    c = ck // (kernel[0] * kernel[1])
    extra = tuple(o - ((b - 1) * s - 2 * p + d * (k - 1) + 1)
                  for o, b, s, p, d, k in zip(out, blocks, stride, padding, dilation, kernel))
    return conv_transpose2d(input.reshape(n, ck, *blocks),
                            _one_hot_kernels(c, kernel, input.dtype), None, stride, padding,
                            extra, c, dilation)


# ---------------------------------------------------------------------- padding modes
def _source_index(n, before, after, mode, dim, shape):
    """Where each padded position along a dim of size `n` reads from."""
    j = np.arange(-before, n + after)
    if mode == "reflect":
        if before >= n or after >= n:
            raise RuntimeError(f"pad: padding ({before}, {after}) should be less than the "
                               f"size {n} of dimension {dim} of input of shape {shape} in "
                               f"reflect mode")
        j = np.abs(j)
        return np.where(j > n - 1, 2 * (n - 1) - j, j)
    if mode == "replicate":
        if n == 0:
            raise RuntimeError(f"pad: cannot replicate the empty dimension {dim} of input of "
                               f"shape {shape}")
        return np.clip(j, 0, n - 1)
    if before > n or after > n:
        raise RuntimeError(f"pad: padding ({before}, {after}) of dimension {dim} (size {n}) of "
                           f"input of shape {shape} causes wrapping around more than once")
    return j % n


def pad_mode(input, pad, mode):
    """`pad` in 'reflect', 'replicate' or 'circular' mode: each padded dim gathers from the
    input (reflection without repeating the edge, the edge repeated, or wrapping around)."""
    if len(pad) % 2 or len(pad) // 2 > input.ndim - 1 or len(pad) // 2 > 3:
        raise NotImplementedError(f"pad: {mode} padding of {len(pad) // 2} dims is supported "
                                  f"only for the last 1 to 3 dims of a batched or unbatched "
                                  f"input; got pad {tuple(pad)} for input of shape "
                                  f"{tuple(input.shape)}")
    out = input
    for i in range(len(pad) // 2):
        dim = input.ndim - 1 - i
        before, after = int(pad[2 * i]), int(pad[2 * i + 1])
        if before < 0 or after < 0:
            raise NotImplementedError(f"pad: negative padding {tuple(pad)} is supported only in "
                                      f"constant mode")
        if before or after:
            out = _along(out, dim, _source_index(input.shape[dim], before, after, mode, dim,
                                                 tuple(input.shape)))
    return out
