"""More views and splits: select, unfold, as_strided, ravel, narrow_copy, split_with_sizes,
vsplit/hsplit/dsplit, sum_to_size, diagflat, msort.

`unfold` and `as_strided` are strided views of the input's memory (writes through them show in
the input, as in PyTorch); their backward adds each output element's gradient to the storage
position it reads, so overlapping windows accumulate. The rest are composed from existing ops.
"""
import numpy as np

from .. import versions
from ..function import Op
from ..tensor import Tensor
from ._util import dual, normalize_dim
from .diag import diag
from .index import IndexAddIntoZeros, getitem
from .shape import _share_version, narrow, reshape, split, tensor_split
from .sort import sort

__all__ = ["select", "unfold", "as_strided", "ravel", "narrow_copy", "split_with_sizes",
           "vsplit", "hsplit", "dsplit", "sum_to_size", "diagflat", "msort"]


def select(input, dim, index):
    """The slice at `index` along `dim`, that dim removed (a view)."""
    d = normalize_dim(dim, input._data.ndim, "select")
    n = input.shape[d] if input._data.ndim else 1
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    return getitem(input, (slice(None),) * d + (int(index),))


# ---------------------------------------------------------------------- strided views
class StridedView(Op):
    """z = the elements of x's storage at `positions` (an integer array of z's shape, flat
    storage positions), as a view.   gx = (zeros(storage) with g added at positions)[x's own
    positions], so elements read more than once accumulate."""

    @staticmethod
    def forward(ctx, x, view, positions, own):
        ctx.args = (positions, own)
        return view

    @staticmethod
    def backward(ctx, g):
        positions, own = ctx.args
        storage_size = int(max(positions.max(initial=-1), own.max(initial=-1))) + 1
        flat = _gather_flat(g, positions.reshape(-1), (storage_size,))
        return _take(flat, own), None, None, None


def _gather_flat(g, positions, shape):
    if isinstance(g, Tensor):
        return IndexAddIntoZeros.apply(reshape(g, -1), shape, (positions,))
    out = np.zeros(shape, g.dtype)
    np.add.at(out, positions, g.reshape(-1))
    return out


_take = dual(lambda t, own: getitem(t, (own,)), lambda a, own: a[own])


def _storage(x):
    """(flat root storage, x's offset in elements, x's strides in elements)."""
    data = x._data
    root = versions._root(data)
    item = data.itemsize
    flat = root.reshape(-1) if root.flags.c_contiguous else None
    offset = (data.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item
    return flat, offset, tuple(s // item for s in data.strides)


def _positions(shape, strides, offset):
    pos = np.full(shape, offset, np.int64)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        ix = np.arange(n, dtype=np.int64) * s
        pos = pos + ix.reshape((n,) + (1,) * (len(shape) - axis - 1))
    return pos


def _strided(input, shape, strides, offset, op):
    flat, own_offset, own_strides = _storage(input)
    data = input._data
    if flat is None or flat.dtype != data.dtype:
        raise RuntimeError(f"{op}(): the tensor's storage is not a plain contiguous array")
    positions = _positions(shape, strides, offset)
    if positions.size and (positions.min() < 0 or positions.max() >= flat.size):
        need = int(positions.max()) + 1
        raise RuntimeError(f"{op}(): sizes {list(shape)}, strides {list(strides)}, storage "
                           f"offset {offset}, and itemsize {data.itemsize} requiring a storage "
                           f"size of {need * data.itemsize} are out of bounds for storage of "
                           f"size {flat.size * data.itemsize}")
    # (an ndarray over `flat` keeps `flat` as its base: one storage, one version counter)
    view = np.ndarray(shape, data.dtype, buffer=flat, offset=offset * data.itemsize if
                      positions.size else 0, strides=tuple(s * data.itemsize for s in strides))
    own = _positions(data.shape, own_strides, own_offset)
    return _share_version(StridedView.apply(input, view, positions, own), input)


def as_strided(input, size, stride, storage_offset=None):
    """A view of `input`'s storage with the given sizes and strides (in elements), starting at
    `storage_offset` (default: input's own offset)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes and "
                           f"{len(stride)} strides")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    offset = _storage(input)[1] if storage_offset is None else int(storage_offset)
    return _strided(input, size, stride, offset, "as_strided")


def unfold(input, dimension, size, step):
    """All windows of length `size` along `dimension`, `step` apart, as a view: that dimension
    becomes the number of windows, (n - size) // step + 1, and a last dimension of `size` is
    added.   Shapes: (*, n, *)  ->  (*, (n - size) // step + 1, *, size)."""
    nd = input._data.ndim
    d = normalize_dim(dimension, nd, "unfold")
    n = input.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    _, offset, strides = _storage(input)
    if nd == 0:
        return _strided(input, (size,), (1,), offset, "unfold")
    shape = list(input.shape)
    shape[d] = (n - size) // step + 1
    new_strides = list(strides)
    new_strides[d] = strides[d] * step
    return _strided(input, tuple(shape) + (size,), tuple(new_strides) + (strides[d],), offset,
                    "unfold")


# ---------------------------------------------------------------------- splits and copies
def ravel(input):
    """The elements in row-major order as a 1-D tensor (a view when possible)."""
    return reshape(input, -1)


def narrow_copy(input, dim, start, length):
    """`narrow` followed by a copy (never a view)."""
    return narrow(input, dim, start, length).clone()


def split_with_sizes(input, split_sizes, dim=0):
    """Pieces along `dim` of the listed sizes (which must sum to its length)."""
    return split(input, list(split_sizes), dim)


def _directional_split(input, sections, dim, min_dims, op):
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {nd} dimensions!")
    if isinstance(sections, (int, np.integer)):
        n = input.shape[dim]
        if sections == 0 or n % sections:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{sections}!")
        return tensor_split(input, sections, dim)
    n = input.shape[dim]
    return tensor_split(input, [min(max(int(c), 0), n) for c in sections], dim)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 (at least 2-D input; an int must divide that dim)."""
    return _directional_split(input, indices_or_sections, 0, 2, "vsplit")


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-D input; an int must divide that dim)."""
    return _directional_split(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, 1,
                              "hsplit")


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 (at least 3-D input; an int must divide that dim)."""
    return _directional_split(input, indices_or_sections, 2, 3, "dsplit")


def sum_to_size(input, *size):
    """`input` summed down to `size`, a shape it broadcasts from (the reverse of expand)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = input.shape
    ok = len(size) <= len(shape) and all(
        s == n or s == 1 for s, n in zip(reversed(size), reversed(shape)))
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return input
    from .reduce import sum as _sum
    lead = len(shape) - len(size)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size)
                                      if s == 1 and shape[lead + i] != 1)
    out = _sum(input, axes, keepdim=True) if axes else input
    return reshape(out, size)


def diagflat(input, offset=0):
    """A square matrix with the flattened input on diagonal `offset`."""
    return diag(reshape(input, -1), offset)


def msort(input):
    """`input` sorted along dim 0 (the values of sort(input, dim=0))."""
    return sort(input, dim=0)[0]

