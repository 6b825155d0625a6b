"""Arrangements composed from shape and element-wise ops (so they need no backward of their
own): cross, kron, block_diag, meshgrid, cartesian_prod, combinations, rot90, diff, vander,
atleast_1d/2d/3d, dstack, column_stack, row_stack.
"""
import itertools
import warnings

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._util import normalize_dim, promote
from .elementwise import logical_xor, mul, sub
from .shape import (_common, broadcast_tensors, cat, expand, flip, narrow, pad, reshape, roll,
                    stack, transpose)

__all__ = ["cross", "linalg_cross", "kron", "block_diag", "meshgrid", "cartesian_prod",
           "cartesian_product",
           "rot90", "diff", "dstack", "column_stack", "atleast_1d", "atleast_2d", "atleast_3d",
           "row_stack", "combinations", "vander"]


def _tensor_args(tensors, op):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensors, but argument {i} is {type(t).__name__}")
    return tensors


# ---------------------------------------------------------------------- products
def _cross_along(a, b, d):
    """(a x b) along dim d: c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1} (indices mod 3), written
    with rolls so the gradient is two rolls and products."""
    return sub(mul(roll(a, -1, d), roll(b, -2, d)), mul(roll(a, -2, d), roll(b, -1, d)))


def linalg_cross(input, other, *, dim=-1):
    """`linalg.cross`: the cross product of 3-vectors along `dim` (inputs broadcast)."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, got "
                           f"shapes {tuple(input.shape)} and {tuple(other.shape)}")
    a, b = promote(input, other)
    a, b = broadcast_tensors(a, b)
    d = normalize_dim(dim, a._data.ndim, "linalg.cross")
    if a.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[dim] if input.ndim else 1} and "
                           f"{other.shape[dim] if other.ndim else 1}")
    return _cross_along(a, b, d)


def cross(input, other, dim=None):
    """The cross product along `dim`. Without `dim`, PyTorch's (deprecated) default: the first
    dim of size 3, with the same warning; `linalg.cross` defaults to the last dim instead."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please "
                      "either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(input.shape, other.shape)
        sizes = [n for n in shape]
        if 3 not in sizes:
            raise RuntimeError(f"cross: no dimension of size 3 in input (broadcast shape "
                               f"{tuple(shape)})")
        dim = sizes.index(3)
    return linalg_cross(input, other, dim=dim)


def kron(input, other):
    """Kronecker product: out[i*m + k, ...] = a[i, ...] * b[k, ...]; the shorter shape is
    padded with leading 1s. Shapes: (a0, a1, ...), (b0, b1, ...) -> (a0*b0, a1*b1, ...)."""
    a, b = promote(input, other)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    # interleave: a as (a0, 1, a1, 1, ...), b as (1, b0, 1, b1, ...)
    a = reshape(a, tuple(n for s in sa for n in (s, 1)))
    b = reshape(b, tuple(n for s in sb for n in (1, s)))
    return reshape(mul(a, b), tuple(x * y for x, y in zip(sa, sb)))


def block_diag(*tensors):
    """Tensors (0-d, 1-D as one row, or 2-D) placed as blocks on the diagonal of a matrix."""
    tensors = _tensor_args(tensors, "block_diag")
    if not tensors:
        return Tensor(np.zeros((1, 0), dtypes.get_default_dtype()))
    blocks = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
        blocks.append(reshape(t, (1, -1)) if t.ndim < 2 else t)
    blocks = _common(blocks, "block_diag")
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        n = b.shape[1]
        rows.append(pad(b, (left, width - left - n)))
        left += n
    return cat(rows, 0) if len(rows) > 1 else rows[0]


# ---------------------------------------------------------------------- grids
def meshgrid(*tensors, indexing=None):
    """Coordinate grids: output k holds tensor k varying along dim k ('ij') of the grid of all
    sizes; with 'xy' the first two dims are swapped (Cartesian). Built with reshape/expand."""
    tensors = _tensor_args(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got shape {tuple(t.shape)}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"torch.meshgrid: Expected all tensors in the tensor list to have "
                               f"the same dtype, got {tensors[0].dtype} and {t.dtype}")
    sizes = [int(t._data.size) for t in tensors]
    axis = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axis[0], axis[1] = 1, 0
    shape = [0] * len(tensors)
    for k, a in enumerate(axis):
        shape[a] = sizes[k]
    out = []
    for t, a in zip(tensors, axis):
        view = [1] * len(tensors)
        view[a] = -1
        out.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(out)


def cartesian_prod(*tensors):
    """Rows of every combination of the elements of 1-D tensors (last varies fastest).
    Shapes: (n1,), ..., (nk,) -> (n1 * ... * nk, k); a single tensor is returned as is."""
    tensors = _tensor_args(tensors, "cartesian_prod")
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {tuple(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


cartesian_product = cartesian_prod


# ---------------------------------------------------------------------- rotations and steps
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `dims` (from the first towards the
    second), as flips and a transpose."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim`: out[i] = x[i + 1] - x[i], applied n times,
    after `prepend` / `append` are joined on (bool inputs use xor, as PyTorch)."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if int(n) < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = normalize_dim(dim, input.ndim, "diff")
    parts = []
    for extra in (prepend, append):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            raise TypeError(f"diff(): prepend and append must be Tensors, got "
                            f"{type(extra).__name__}")
        if extra.ndim != input.ndim:
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as "
                               f"input; got shapes {tuple(extra.shape)} and {tuple(input.shape)}")
    if int(n) == 0:
        return input.clone()  # (prepend and append are then ignored, as PyTorch)
    x = input
    if prepend is not None or append is not None:
        parts = ([prepend] if prepend is not None else []) + [input] + \
            ([append] if append is not None else [])
        x = cat(parts, d)
    for _ in range(int(n)):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = narrow(x, d, 1, length - 1), narrow(x, d, 0, length - 1)
        x = logical_xor(hi, lo) if x.dtype == np.bool_ else sub(hi, lo)
    return x


# ---------------------------------------------------------------------- stacking
def _atleast_3d(t):
    if t.ndim == 0:
        return reshape(t, (1, 1, 1))
    if t.ndim == 1:
        return reshape(t, (1, -1, 1))
    if t.ndim == 2:
        return reshape(t, tuple(t.shape) + (1,))
    return t


def _atleast(tensors, name, one):
    """`one` applied to a Tensor, or to each of several (given separately or as one sequence)
    giving a tuple, as PyTorch's atleast_*d do."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return one(tensors[0])
    return tuple(one(t) for t in _tensor_args(tensors, name))


def atleast_1d(*tensors):
    """Inputs with at least one dim: a 0-d tensor becomes (1,); others are returned as is."""
    return _atleast(tensors, "atleast_1d", lambda t: reshape(t, (1,)) if t.ndim == 0 else t)


def atleast_2d(*tensors):
    """Inputs with at least two dims: 0-d -> (1, 1), (n,) -> (1, n)."""
    return _atleast(tensors, "atleast_2d",
                    lambda t: reshape(t, (1, -1) if t.ndim == 1 else (1, 1)) if t.ndim < 2 else t)


def atleast_3d(*tensors):
    """Inputs with at least three dims: 0-d -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) ->
    (m, n, 1)."""
    return _atleast(tensors, "atleast_3d", _atleast_3d)


def dstack(tensors):
    """Join along the third dim (0-d to 2-D inputs first become (1, 1, 1), (1, n, 1), (m, n, 1))."""
    tensors = _tensor_args(tuple(tensors), "dstack")
    return cat([_atleast_3d(t) for t in tensors], 2)


def row_stack(tensors):
    """PyTorch's alias of vstack: join along dim 0, 1-D inputs as rows."""
    from .shape import vstack
    return vstack(tensors)


def column_stack(tensors):
    """Join as columns: 0-d and 1-D inputs become (n, 1) columns, others are joined along
    dim 1."""
    tensors = _tensor_args(tuple(tensors), "column_stack")
    return cat([reshape(t, (-1, 1)) if t.ndim < 2 else t for t in tensors], 1)


# ---------------------------------------------------------------------- selections
def combinations(input, r=2, with_replacement=False):
    """All length-`r` combinations of the elements of a 1-D `input`, in itertools' order.

    Shapes: input: (n,)  ->  (C, r) (C = n choose r, or the count with replacement); (0,) when
    there are none (0-d for r == 0, as in PyTorch).
    """
    if input.ndim != 1:
        raise RuntimeError(f"combinations(): expect a 1D vector, but got shape "
                           f"{tuple(input.shape)}")
    if r < 0:
        raise RuntimeError(f"combinations(): Expect a non-negative number, but got {r}")
    if r == 0:
        return input[:0]
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    rows = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    from .index import take
    return take(input, Tensor(rows, dtype=np.int64))


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D `x`: columns x^(N-1), ..., x, 1 (reversed when
    `increasing`).

    Shapes: x: (n,)  ->  (n, N) (N defaults to n).
    """
    if x.ndim != 1:
        raise RuntimeError(f"x must be a one-dimensional tensor, got shape {tuple(x.shape)}")
    n = x.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError(f"N must be non-negative, got {n}")
    if x.dtype.kind in "biu":
        x = x.to(np.int64)
    if n < 2:  # constant columns: no gradient, as in PyTorch
        return x.detach().new_ones((x.shape[0], n))
    powers = [x.new_ones(x.shape[0])] + [x] * (n - 1)
    out = stack(list(itertools.accumulate(powers, mul)), 1)
    return out if increasing else flip(out, (1,))
