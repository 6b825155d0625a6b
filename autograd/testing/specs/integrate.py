"""Registry entries: the trapezoidal rule (trapezoid, trapz, cumulative_trapezoid), with
samples on a unit grid, a given spacing, or at points x (1-D or one per sample)."""
import numpy as np
from hypothesis import strategies as st

import autograd
from ..registry import OpSpec, register
from ..strategies import Domain, shapes

FAMILY = "reduce"


def _areas(y, x, dx, dim):
    """Reference: one trapezoid at a time."""
    y = np.moveaxis(y, dim, -1)
    n = y.shape[-1]
    if x is None:
        widths = np.full(max(n - 1, 0), 1.0 if dx is None else dx)
    else:
        x = np.moveaxis(x, dim, -1) if x.ndim > 1 else x
        widths = np.stack([x[..., i + 1] - x[..., i] for i in range(n - 1)], -1) \
            if n > 1 else np.zeros(x.shape[:-1] + (0,))
    heights = np.stack([(y[..., i + 1] + y[..., i]) / 2 for i in range(n - 1)], -1) \
        if n > 1 else np.zeros(y.shape[:-1] + (0,))
    return heights * widths


@st.composite
def _setup(draw, with_x):
    shape = draw(shapes(min_dims=1, max_dims=3))
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1))
    if not with_x:
        return (shape,), {"dim": dim, "dx": draw(st.one_of(st.none(), st.floats(0.1, 2.0)))}
    full = draw(st.booleans())
    return (shape, shape if full else (shape[dim],)), {"dim": dim}


def _total(areas, dim):
    return areas.sum(-1)


def _running(areas, dim):
    return np.moveaxis(np.cumsum(areas, -1), -1, dim)


def _register(name, fn, combine, reduction):
    def ref_dx(y, dim, dx):
        return combine(_areas(y, None, dx, dim), dim)

    def ref_x(y, x, dim):
        return combine(_areas(y, x, None, dim), dim)

    register(OpSpec(name, lambda y, **kw: fn(y, **kw), ref_dx, FAMILY, domains=(Domain(),),
                    setup=_setup(False), covers=("Add", "GetItem", reduction)))
    register(OpSpec(name + "_at_points", lambda y, x, **kw: fn(y, x, **kw), ref_x, FAMILY,
                    domains=(Domain(), Domain()), setup=_setup(True), public=(),
                    covers=("Sub", "Mul", reduction)))


_register("trapezoid", autograd.trapezoid, _total, "Sum")
_register("trapz", autograd.trapz, _total, "Sum")
_register("cumulative_trapezoid", autograd.cumulative_trapezoid, _running, "Cumsum")
