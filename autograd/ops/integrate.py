"""Numerical integration by the trapezoidal rule, composed from differentiable ops:
trapezoid (and its alias trapz) and cumulative_trapezoid."""
from ..tensor import Tensor
from ._util import normalize_dim
from .reduce import cumsum, sum as _sum
from .shape import narrow, reshape

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid"]


def _areas(y, x, dx, dim, name):
    """The area of each trapezoid along `dim`: (y[i+1] + y[i]) / 2 times the spacing (`x`
    differences, else `dx`, else 1).

    Shapes: y: (..., n, ...)  ->  (..., n - 1, ...); x: (n,) or broadcastable with y.
    """
    if not isinstance(y, Tensor):
        raise TypeError(f"{name}(): argument 'y' must be Tensor, not {type(y).__name__}")
    if x is not None and dx is not None:
        raise RuntimeError(f"{name}(): pass either x or dx, not both")
    d = normalize_dim(dim, y.ndim, name)
    n = y.shape[d]
    if n == 0:
        return narrow(y, d, 0, 0)
    mean_heights = (narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1)) * 0.5
    if x is None:
        return mean_heights if dx is None else mean_heights * dx
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}(): there must be one x value per y value along dim {dim}:"
                               f" x has shape {tuple(x.shape)}, y has shape {tuple(y.shape)}")
        widths = x[1:] - x[:-1]
        widths = reshape(widths, (n - 1,) + (1,) * (y.ndim - d - 1))
    else:
        xd = normalize_dim(dim, x.ndim, name)
        widths = narrow(x, xd, 1, n - 1) - narrow(x, xd, 0, n - 1)
    return mean_heights * widths


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of `y` along `dim` by the trapezoidal rule, at points `x` (a 1-D tensor
    or one broadcastable with `y`) or spaced `dx` apart (default 1).

    Shapes: y: (..., n, ...)  ->  y's shape without `dim`.
    """
    return _sum(_areas(y, x, dx, dim, "trapezoid"), dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    """PyTorch's older name of `trapezoid`."""
    return _sum(_areas(y, x, dx, dim, "trapz"), dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running integrals of `trapezoid`: one fewer element along `dim` than `y`.

    Shapes: y: (..., n, ...)  ->  (..., n - 1, ...).
    """
    return cumsum(_areas(y, x, dx, dim, "cumulative_trapezoid"), dim)
