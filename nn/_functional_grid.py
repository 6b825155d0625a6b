"""`affine_grid` and `grid_sample` for 2-D (4-D tensor) spatial transformers (re-exported by
`nn.functional`), composed from differentiable ops: gradients reach theta, the input and (in
bilinear mode) the grid, and second derivatives come free.

Grid coordinates are normalised: -1 and 1 are the centres of the corner pixels with
`align_corners=True`, the outer edges of the corner pixels with `align_corners=False`.
"""
import warnings

import numpy as np

import autograd
from autograd.tensor import Tensor, _make

__all__ = ["affine_grid", "grid_sample"]


def _default_align_corners(align_corners):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if "
                      "the old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=3)
        return False
    return align_corners


def _linspace(steps, align_corners, dtype):
    if steps <= 1:
        return np.zeros(steps, dtype)
    points = np.linspace(-1.0, 1.0, steps)
    return (points if align_corners else points * (steps - 1) / steps).astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps `theta`: grid[n, h, w] = theta[n] @ (x_w, y_h, 1).

    Shapes: theta: (N, 2, 3)  size: (N, C, H, W)  ->  (N, H, W, 2)
    """
    align_corners = _default_align_corners(align_corners)
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 5:
        raise NotImplementedError("affine_grid: 3-D affine transforms (5-D sizes) are not "
                                  "supported")
    if len(size) != 4:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
        raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                         f"{size}. Got {tuple(theta.shape)}.")
    n, _, h, w = size
    if theta.shape[0] != n:
        raise RuntimeError(f"affine_grid: expected theta with batch size {n} (size[0]), got "
                           f"theta of shape {tuple(theta.shape)}")
    if min(size[2:]) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    base = np.empty((h, w, 3), theta.dtype)
    base[..., 0] = _linspace(w, align_corners, theta.dtype)
    base[..., 1] = _linspace(h, align_corners, theta.dtype)[:, None]
    base[..., 2] = 1.0
    grid = _make(base.reshape(1, h * w, 3), None) @ theta.transpose(1, 2)
    return grid.reshape(n, h, w, 2)


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1.0) * ((size - 1) / 2.0)
    return ((coord + 1.0) * size - 1.0) / 2.0


def _reflect(coord, twice_low, twice_high):
    """Fold coordinates into [low, high] by reflection (PyTorch's reflect_coordinates)."""
    if twice_low == twice_high:
        return coord * 0.0
    low, span = twice_low / 2.0, (twice_high - twice_low) / 2.0
    dist = autograd.abs(coord - low)
    flips = np.floor(dist._data / span)
    extra = dist - _make((flips * span).astype(dist.dtype), None)
    even = _make(flips % 2 == 0, None)
    return autograd.where(even, extra + low, (span - extra) + low)


def _source_coord(coord, size, padding_mode, align_corners):
    coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        coord = autograd.clamp(coord, 0.0, size - 1.0)
    elif padding_mode == "reflection":
        twice = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        coord = autograd.clamp(_reflect(coord, *twice), 0.0, size - 1.0)
    return coord


def _pick(flat, ys, xs, h, w, channels):
    """flat[n, :, ys * w + xs], 0 where (ys, xs) lies outside the image.
    Shapes: flat (N, C, H * W), ys / xs integer (N, P) -> (N, C, P)"""
    inside = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
    index = np.where(inside, np.clip(ys, 0, h - 1) * w + np.clip(xs, 0, w - 1), 0)
    index = np.broadcast_to(index[:, None, :], (index.shape[0], channels, index.shape[1]))
    values = flat.gather(2, _make(np.ascontiguousarray(index), None))
    return values * _make(inside[:, None, :].astype(flat.dtype), None)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample `input` at the normalised (x, y) locations of `grid`, as
    `torch.nn.functional.grid_sample` for 4-D input: bilinear (differentiable in the grid) or
    nearest (round half to even) interpolation; outside locations read 0 ('zeros'), the edge
    ('border') or the mirrored image ('reflection').

    Shapes: input: (N, C, H, W)  grid: (N, Ho, Wo, 2)  ->  (N, C, Ho, Wo)
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported")
    align_corners = _default_align_corners(align_corners)
    if not isinstance(grid, Tensor):
        grid = autograd.tensor(grid)
    if input.ndim != grid.ndim or input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if input.ndim == 5:
        raise NotImplementedError("grid_sample: 5-D (volumetric) input is not supported")
    if input.ndim != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    n, c, h, w = input.shape
    ho, wo = grid.shape[1], grid.shape[2]
    flat = input.reshape(n, c, h * w)
    points = grid.reshape(n, ho * wo, 2)
    ix = _source_coord(points[..., 0], w, padding_mode, align_corners)
    iy = _source_coord(points[..., 1], h, padding_mode, align_corners)
    if mode == "nearest":
        xs = np.rint(ix._data).astype(np.int64)
        ys = np.rint(iy._data).astype(np.int64)
        return _pick(flat, ys, xs, h, w, c).reshape(n, c, ho, wo)
    x0 = np.floor(ix._data)
    y0 = np.floor(iy._data)
    fx = ix - _make(x0.astype(ix.dtype), None)  # weight of the right neighbour, in [0, 1)
    fy = iy - _make(y0.astype(iy.dtype), None)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    fx, fy = fx.unsqueeze(1), fy.unsqueeze(1)
    out = (_pick(flat, y0, x0, h, w, c) * ((1.0 - fx) * (1.0 - fy))
           + _pick(flat, y0, x0 + 1, h, w, c) * (fx * (1.0 - fy))
           + _pick(flat, y0 + 1, x0, h, w, c) * ((1.0 - fx) * fy)
           + _pick(flat, y0 + 1, x0 + 1, h, w, c) * (fx * fy))
    return out.reshape(n, c, ho, wo)
