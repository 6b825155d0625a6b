"""`embedding_bag`: sums, means or maxima of bags of embedding rows, without building the
(bags, length, D) tensor of `embedding` (re-exported by `nn.functional`).

Bags are runs of a 1-D index list cut at `offsets` (or the rows of a 2-D index array). The
function is a composite of differentiable ops: the kept rows are gathered once (indices equal
to `padding_idx` are dropped from their bag, also from the mean's count), weighted by
`per_sample_weights`, then added into their bag with `index_add` or reduced with
`scatter_reduce('amax')`. Empty bags give zeros, as in PyTorch.
"""
import numpy as np

import autograd
from autograd.tensor import Tensor, _make

__all__ = ["embedding_bag"]


def _ints(value, what):
    arr = value._data if isinstance(value, Tensor) else np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: expected {what} of an integer dtype (int64 or "
                           f"int32), got {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _bags(idx, offsets, include_last_offset):
    """(flat indices, bag starts, bag ends) from 2-D indices or 1-D indices and offsets."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: if input is 2D, then offsets has to be None, as "
                             "input is treated is a mini-batch of fixed length sequences")
        bags, length = idx.shape
        starts = np.arange(bags, dtype=np.int64) * length
        return idx.reshape(-1), starts, starts + length
    if idx.ndim != 1:
        raise ValueError(f"embedding_bag: input has to be 1D or 2D Tensor, but got Tensor of "
                         f"dimension {idx.ndim}")
    if offsets is None:
        raise ValueError("embedding_bag: offsets has to be a 1D Tensor but got None")
    off = _ints(offsets, "offsets")
    if off.ndim != 1:
        raise ValueError(f"embedding_bag: offsets has to be a 1D Tensor, got shape "
                         f"{tuple(off.shape)}")
    if include_last_offset and off.size < 1:
        raise RuntimeError("embedding_bag: include_last_offset needs at least one offset")
    if off.size:
        if off[0] != 0:
            raise RuntimeError(f"embedding_bag: offsets[0] has to be 0, i.e., the first "
                               f"sequence in the mini-batch has to start from position 0. "
                               f"However, got {off[0]}")
        if off[-1] > idx.size:
            raise RuntimeError(f"embedding_bag: offsets[-1] can not be greater than input's "
                               f"length {idx.size} but got offsets[-1] of {off[-1]}")
        if np.any(np.diff(off) < 0):
            raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got "
                               f"{off.tolist()}")
    if include_last_offset:
        return idx, off[:-1], off[1:]
    return idx, off, np.append(off[1:], idx.size).astype(np.int64)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Per bag, the sum / mean / max of the rows of `weight` picked by its indices, as
    `torch.nn.functional.embedding_bag`.

    z[b] = sum over i in bag b (i != padding_idx) of psw[i] * weight[input[i]]  (mode 'sum';
    psw = 1 unless `per_sample_weights`), divided by the bag's kept count for 'mean'; the
    elementwise maximum for 'max'. Empty bags give zeros. With `include_last_offset`, offsets
    has one more entry: the end of the last bag.

    Shapes: input: (L,) with offsets: (B,) (or (B + 1,)), or input: (B, L) without offsets;
    weight: (num_embeddings, D)  ->  (B, D)
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode has to be one of sum, mean or max, got {mode!r}")
    if weight.ndim != 2:
        raise ValueError(f"embedding_bag: weight has to be a 2D Tensor, got shape "
                         f"{tuple(weight.shape)}")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding_bag(scale_grad_by_freq=True) is not supported")
    raw = _ints(input, "input")
    psw = None
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                      f"per_sample_weights is only supported for mode='sum' "
                                      f"(got mode={mode!r})")
        if tuple(per_sample_weights.shape) != tuple(raw.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights "
                             f"({tuple(per_sample_weights.shape)}) is not None, then it must "
                             f"have the same shape as the input ({tuple(raw.shape)})")
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(f"embedding_bag: per_sample_weights dtype "
                               f"{per_sample_weights.dtype} differs from weight dtype "
                               f"{weight.dtype}")
        psw = per_sample_weights.reshape(-1)
    idx, starts, ends = _bags(raw, offsets, include_last_offset)
    n, dim = weight.shape
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        at = int(np.flatnonzero((idx < 0) | (idx >= n))[0])
        raise RuntimeError(f"embedding_bag: index {at} of input takes value {idx[at]} which is "
                           f"not in the valid range [0, {n})")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise ValueError(f"embedding_bag: padding_idx must be within [-{n}, {n}), got "
                             f"{padding_idx}")
        padding_idx = padding_idx + n if padding_idx < 0 else padding_idx
    bags = starts.size
    # positions [0, ends[-1]) are bagged: with include_last_offset, later ones are ignored
    used = int(ends[-1]) if bags else 0
    bag_of = np.repeat(np.arange(bags), ends - starts)
    positions = np.arange(used)
    if padding_idx is not None:
        keep = idx[:used] != padding_idx
        positions, bag_of = positions[keep], bag_of[keep]
    if max_norm is not None and positions.size:
        from .functional import _renorm_rows  # noqa: PLC0415 (functional imports this module)
        _renorm_rows(weight, np.unique(idx[positions]), max_norm, norm_type)
    rows = autograd.index_select(weight, 0, _make(idx[positions], None))
    if psw is not None:
        rows = rows * autograd.index_select(psw, 0, _make(positions, None)).unsqueeze(-1)
    zeros = autograd.zeros(bags, dim, dtype=weight.dtype)
    bag_index = _make(bag_of, None)
    if mode == "max":
        spread = _make(np.broadcast_to(bag_of[:, None], (bag_of.size, dim)).copy(), None)
        return autograd.scatter_reduce(zeros, 0, spread, rows, "amax", include_self=False)
    total = autograd.index_add(zeros, 0, bag_index, rows)
    if mode == "sum":
        return total
    counts = np.maximum(np.bincount(bag_of, minlength=bags), 1).astype(total.dtype)
    return total / _make(counts[:, None], None)
