"""Shape ops: reshape/view, squeeze, transpose/permute, expand, repeat/tile, flip, roll, cat,
stack, split/chunk, pad.

None of them change values, so each backward only moves `g` back into the input's layout.
"""
import numpy as np

from .. import dtypes
from .._broadcast import mismatch_error
from ..function import Op
from ..tensor import Tensor, _make
from ._util import dual, normalize_dim, normalize_dims, unbroadcast


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _share_version(out, x):
    """Mark `out` as a view of `x` when it shares x's memory. (Views share their storage's
    version counter by construction: autograd/versions.py.)"""
    if out._data.base is not None:
        out._base = x
    return out


# ---------------------------------------------------------------------- reshape family
class Reshape(Op):
    """z = x.reshape(shape).   gx = g.reshape(x.shape)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


def reshape(input, *shape):
    """The same elements in a new shape (one entry may be -1)."""
    shape = _shape_arg(shape)
    size = input._data.size
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if shape.count(-1) > 1 or (-1 not in shape and known != size) or \
            (-1 in shape and (known == 0 or size % known)):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    if shape == input._data.shape:
        return input
    return _share_version(Reshape.apply(input, shape), input)


view = reshape


def view_as(input, other):
    return reshape(input, other.shape)


reshape_as = view_as


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = normalize_dim(start_dim, nd, "flatten")
    e = normalize_dim(end_dim, nd, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    return reshape(input, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def unflatten(input, dim, sizes):
    d = normalize_dim(dim, input._data.ndim, "unflatten")
    shape = input._data.shape
    return reshape(input, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(input, dim=None):
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = normalize_dims(dim, input._data.ndim, "squeeze")
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return reshape(input, new)


def unsqueeze(input, dim):
    nd = input._data.ndim
    d = normalize_dim(dim, nd + 1, "unsqueeze")
    shape = input._data.shape
    return reshape(input, shape[:d] + (1,) + shape[d:])


# ---------------------------------------------------------------------- axis order
class Permute(Op):
    """z = x.transpose(perm).   gx = g.transpose(inverse(perm))."""

    @staticmethod
    def forward(ctx, x, perm):
        ctx.inverse = tuple(np.argsort(perm))
        return np.transpose(x, perm)

    @staticmethod
    def backward(ctx, g):
        return _transpose(g, ctx.inverse), None


_transpose = dual(lambda t, perm: permute(t, perm), np.transpose)


def permute(input, *dims):
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    perm = tuple(normalize_dim(d, nd, "permute") for d in dims)
    if sorted(perm) != list(range(nd)):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {dims})")
    if perm == tuple(range(nd)):
        return input
    return _share_version(Permute.apply(input, perm), input)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    if nd == 0:
        return input
    a = normalize_dim(dim0, nd, "transpose")
    b = normalize_dim(dim1, nd, "transpose")
    perm = list(range(nd))
    perm[a], perm[b] = perm[b], perm[a]
    return permute(input, perm)


swapaxes = swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return transpose(input, 0, 1) if input._data.ndim == 2 else input


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [normalize_dim(s, nd, "movedim") for s in np.atleast_1d(source)]
    dst = [normalize_dim(d, nd, "movedim") for d in np.atleast_1d(destination)]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def _reverse_dims(input):
    return permute(input, tuple(reversed(range(input._data.ndim))))


def _matrix_transpose(input):
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


# ---------------------------------------------------------------------- broadcasting
class Expand(Op):
    """z = broadcast_to(x, shape).   gx = g summed over the broadcast axes."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.in_shape), None


def broadcast_to(input, shape):
    shape = tuple(int(s) for s in shape)
    if shape == input._data.shape:
        return input
    try:
        np.broadcast_shapes(input._data.shape, shape)
        if len(shape) < input._data.ndim:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor {tuple(input.shape)} must match the "
                           f"existing size at non-singleton dimensions; target shape {shape}") \
            from None
    return _share_version(Expand.apply(input, shape), input)


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    lead = len(sizes) - input._data.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater "
                           f"or equal to the number of dimensions in the tensor "
                           f"({input._data.ndim})")
    shape = tuple(input._data.shape[i - lead] if s == -1 and i >= lead else s
                  for i, s in enumerate(sizes))
    return broadcast_to(input, shape)


def expand_as(input, other):
    return broadcast_to(input, other.shape)


def broadcast_tensors(*tensors):
    shapes = [t.shape for t in tensors]
    mismatch = mismatch_error(shapes)
    if mismatch is not None:
        raise mismatch
    shape = np.broadcast_shapes(*shapes)
    return tuple(broadcast_to(t, shape) for t in tensors)


class Tile(Op):
    """z = tile(x, reps).   gx = g folded to (rep, size) pairs and summed over the reps."""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.args = (x.shape, reps)
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        shape, reps = ctx.args
        shape = (1,) * (len(reps) - len(shape)) + tuple(shape)
        folded = []
        for r, s in zip(reps, shape):
            folded += [r, s]
        gx = g.reshape(tuple(folded)).sum(axis=tuple(range(0, len(folded), 2)))
        return gx.reshape(ctx.args[0]), None


def repeat(input, *sizes):
    """PyTorch's `repeat`: tile the tensor `sizes` times along each dim (len(sizes) >= ndim)."""
    sizes = _shape_arg(sizes)
    if len(sizes) < input._data.ndim:
        raise RuntimeError(f"Number of dimensions of repeat dims ({len(sizes)}) can not be "
                           f"smaller than number of dimensions of tensor ({input._data.ndim})")
    return Tile.apply(input, sizes)


def tile(input, dims):
    dims = tuple(int(d) for d in dims)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return Tile.apply(input, dims)


def repeat_interleave(input, repeats, dim=None):
    from .index import index_select
    x = flatten(input) if dim is None else input
    d = 0 if dim is None else normalize_dim(dim, x._data.ndim, "repeat_interleave")
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(x._data.shape[d]), reps)
    return index_select(x, d, _make(idx, None))


# ---------------------------------------------------------------------- reordering
class Flip(Op):
    """z = flip(x, dims).   gx = flip(g, dims)."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims)

    @staticmethod
    def backward(ctx, g):
        return _flip(g, ctx.dims), None


_flip = dual(lambda t, dims: flip(t, dims), np.flip)


def flip(input, dims):
    dims = normalize_dims(dims, input._data.ndim, "flip")
    if input._data.ndim == 0:
        return input
    return Flip.apply(input, dims)


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


class Roll(Op):
    """z = roll(x, shifts, dims).   gx = roll(g, -shifts, dims)."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.args = (shifts, dims, x.shape)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        shifts, dims, shape = ctx.args
        neg = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return _roll(g, neg, dims), None, None


def _roll_tensor(t, shifts, dims):
    return roll(t, shifts, dims)


_roll = dual(_roll_tensor, np.roll)


def roll(input, shifts, dims=None):
    if dims is None:
        flat = flatten(input)
        return reshape(Roll.apply(flat, int(shifts) if not isinstance(shifts, (tuple, list))
                                  else int(shifts[0]), 0), input.shape)
    shifts = tuple(int(s) for s in np.atleast_1d(shifts))
    dims = tuple(normalize_dim(d, input._data.ndim, "roll") for d in np.atleast_1d(dims))
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims: {len(dims)}")
    return Roll.apply(input, shifts, dims)


# ---------------------------------------------------------------------- joining and splitting
class Cat(Op):
    """z = concatenate(xs, dim).   each gx = the slice of g where that x landed."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [x.shape[dim] for x in xs]).tolist()
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        b = ctx.bounds
        return tuple(g[lead + (slice(b[i], b[i + 1]),)] if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def _common(tensors, op):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensors, but element {i} is {type(t).__name__}")
    dts = {t.dtype for t in tensors}
    if len(dts) > 1:
        dt = dtypes.result_type(*(t._data for t in tensors))
        tensors = [t.to(dt) for t in tensors]
    return tensors


def cat(tensors, dim=0, *, axis=None):
    """Join tensors along an existing `dim`; all other dims must match."""
    dim = dim if axis is None else axis
    tensors = _common(tensors, "cat")
    ref = next((t for t in tensors if t._data.ndim), tensors[0])
    d = normalize_dim(dim, ref._data.ndim, "cat")
    tensors = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)
               or t is ref]
    for i, t in enumerate(tensors):
        if t._data.ndim != ref._data.ndim or any(
                a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape)) if k != d):
            raise RuntimeError(f"cat(): Sizes of tensors must match except in dimension {d}. "
                               f"Expected shape {tuple(ref.shape)} (up to dim {d}) but got "
                               f"{tuple(t.shape)} for tensor number {i} in the list")
    if len(tensors) == 1:
        return tensors[0]
    return Cat.apply(*tensors, dim=d)


concat = concatenate = cat


class Stack(Op):
    """z = stack(xs, dim).   each gx = g indexed at its position along `dim`."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        return tuple(g[lead + (i,)] if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new `dim`."""
    tensors = _common(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{tuple(tensors[0].shape)} at entry 0 and {tuple(t.shape)} at "
                               f"entry {i}")
    d = normalize_dim(dim, tensors[0]._data.ndim + 1, "stack")
    return Stack.apply(*tensors, dim=d)


def hstack(tensors):
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([t if t._data.ndim > 1 else reshape(t, (1, -1)) for t in tensors], 0)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size` (the last may be smaller) or of the listed sizes along `dim`."""
    d = normalize_dim(dim, tensor._data.ndim, "split")
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n > 0):
            raise RuntimeError(f"split expects split_size be positive for a non-empty dim, but "
                               f"got split_size={size} for a dim of size {n}")
        if n == 0:
            sizes = [0]  # PyTorch: one empty piece
        else:
            sizes = [size] * (n // size) + ([n % size] if n % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    lead = (slice(None),) * d
    out, start = [], 0
    for s in sizes:
        out.append(tensor[lead + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = normalize_dim(dim, input._data.ndim, "chunk")
    n = input._data.shape[d]
    if n == 0:
        return split(input, [0] * chunks, d)  # PyTorch: `chunks` empty pieces
    return split(input, -(-n // chunks), d)


def tensor_split(input, indices_or_sections, dim=0):
    d = normalize_dim(dim, input._data.ndim, "tensor_split")
    n = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        bounds = [0] + list(indices_or_sections) + [n]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return split(input, sizes, d)


def unbind(input, dim=0):
    d = normalize_dim(dim, input._data.ndim, "unbind")
    lead = (slice(None),) * d
    return tuple(input[lead + (i,)] for i in range(input._data.shape[d]))


def narrow(input, dim, start, length):
    d = normalize_dim(dim, input._data.ndim, "narrow")
    start = int(start) % input._data.shape[d] if start < 0 else int(start)
    return input[(slice(None),) * d + (slice(start, start + int(length)),)]


# ---------------------------------------------------------------------- padding
class Pad(Op):
    """z = x padded with a constant.   gx = the interior slice of g."""

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.interior = tuple(slice(a, a + n) for (a, _), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.interior], None, None


def pad(input, pad, mode="constant", value=None):
    """PyTorch's pad spec: (left, right) of the last dim first, then the dim before, ...

    Negative widths crop. Only `mode='constant'` is supported.
    """
    if mode != "constant":
        raise NotImplementedError(f"pad(): mode {mode!r} is not supported; use 'constant'")
    pad = [int(p) for p in pad]
    if not pad:
        return input.clone()
    if len(pad) % 2 or len(pad) // 2 > input._data.ndim:
        raise ValueError(f"pad(): padding length {len(pad)} must be even and at most twice the "
                         f"number of dimensions ({input._data.ndim})")
    nd = input._data.ndim
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    x = input
    if any(a < 0 or b < 0 for a, b in widths):
        crop = tuple(slice(-a if a < 0 else 0, n + b if b < 0 else n)
                     for (a, b), n in zip(widths, input.shape))
        x = input[crop]
        widths = [(max(a, 0), max(b, 0)) for a, b in widths]
    return Pad.apply(x, tuple(widths), 0 if value is None else value)
