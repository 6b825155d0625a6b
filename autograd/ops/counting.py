"""Counting and searching, with no gradient (their outputs are indices, counts or masks):
unique, unique_consecutive, bincount, histc, bucketize, searchsorted, isin."""
import numpy as np

from ..tensor import Tensor, _make
from ._util import normalize_dim

__all__ = ["unique", "unique_consecutive", "bincount", "histc", "bucketize", "searchsorted",
           "isin"]


def _array(x, op, name="input"):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (int, float, bool, np.generic)):
        return np.asarray(x)
    raise TypeError(f"{op}(): {name} must be a Tensor or a number, got {type(x).__name__}")


def _results(values, inverse, counts, return_inverse, return_counts):
    out = [_make(values, None)]
    if return_inverse:
        out.append(_make(inverse.astype(np.int64), None))
    if return_counts:
        out.append(_make(counts.astype(np.int64), None))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), or distinct slices along `dim`; optionally the index of
    each entry's value in them (`inverse`, shaped like the input, or like dim) and counts."""
    a = _array(input, "unique")
    if dim is None:
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True,
                                            return_counts=True)
        inverse = inverse.reshape(a.shape)
    else:
        d = normalize_dim(dim, a.ndim, "unique")
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
        inverse = inverse.reshape(-1)
    return _results(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (or slices along `dim`) to one."""
    a = _array(input, "unique_consecutive")
    if dim is None:
        flat = a.reshape(-1)
        starts = np.ones(flat.shape, bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        shape = a.shape
    else:
        d = normalize_dim(dim, a.ndim, "unique_consecutive")
        moved = np.moveaxis(a, d, 0)
        starts = np.ones(moved.shape[0], bool)
        if moved.shape[0] > 1:
            starts[1:] = (moved[1:] != moved[:-1]).reshape(moved.shape[0] - 1, -1).any(1)
        values = np.moveaxis(moved[starts], 0, d)
        shape = starts.shape
    inverse = (np.cumsum(starts) - 1).reshape(shape)
    counts = np.diff(np.append(np.nonzero(starts)[0], starts.size))
    return _results(values, inverse, counts, return_inverse, return_counts)


def bincount(input, weights=None, minlength=0):
    """Counts of each value of a 1-D non-negative integer tensor (weighted sums with
    `weights`); the length is max(input) + 1, at least `minlength`."""
    a = _array(input, "bincount")
    if a.dtype.kind not in "iub":
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs; got dtype "
                           f"{a.dtype}")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs; got shape "
                           f"{tuple(a.shape)}")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return _make(np.bincount(a, minlength=minlength).astype(np.int64), None)
    w = _array(weights, "bincount", "weights")
    if w.shape != a.shape:
        raise RuntimeError(f"bincount: weights should be 1-d and have the same length as input; "
                           f"got shapes {tuple(w.shape)} and {tuple(a.shape)}")
    dt = w.dtype if w.dtype.kind == "f" else np.float64
    return _make(np.bincount(a, w, minlength=minlength).astype(dt), None)


def histc(input, bins=100, min=0, max=0):
    """Histogram of `bins` equal-width bins over [min, max] (the data's range when min == max);
    entries outside are ignored, the last bin includes max."""
    a = _array(input, "histc")
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{a.dtype}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, got min {lo} and max {hi}")
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    x = a[(a >= lo) & (a <= hi)].astype(np.float64)
    idx = ((x - lo) * bins / (hi - lo)).astype(np.int64)
    idx[idx == bins] = bins - 1
    return _make(np.bincount(idx, minlength=bins).astype(a.dtype), None)


def _index_dtype(out_int32):
    return np.int32 if out_int32 else np.int64


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """For each entry, the index of the bucket of the 1-D increasing `boundaries` it falls in:
    boundaries[i-1] < x <= boundaries[i] (`right=False`) or boundaries[i-1] <= x < boundaries[i]."""
    b = _array(boundaries, "bucketize", "boundaries")
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    a = _array(input, "bucketize")
    out = np.searchsorted(b, a, side="right" if right else "left")
    return _make(np.asarray(out, _index_dtype(out_int32)), None)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Indices where `input` would be inserted into the innermost dim of `sorted_sequence` to
    keep it sorted (a 1-D sequence serves every value; otherwise leading dims must match)."""
    seq = _array(sorted_sequence, "searchsorted", "sorted_sequence")
    vals = _array(input, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    how = "right" if right else "left"
    srt = None if sorter is None else _array(sorter, "searchsorted", "sorter")
    dt = _index_dtype(out_int32)
    if seq.ndim <= 1:
        return _make(np.asarray(np.searchsorted(seq, vals, side=how, sorter=srt), dt), None)
    if vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or "
                           f"the first N-1 dimensions of boundaries tensor and input value "
                           f"tensor must match, but we got boundaries tensor "
                           f"{list(seq.shape)} and input value tensor {list(vals.shape)}")
    rows_s, rows_v = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
    rows_o = None if srt is None else srt.reshape(-1, srt.shape[-1])
    out = np.stack([np.searchsorted(s, v, side=how, sorter=None if rows_o is None else rows_o[i])
                    for i, (s, v) in enumerate(zip(rows_s, rows_v))]) if rows_s.size else \
        np.zeros(rows_v.shape, dt)
    return _make(out.reshape(vals.shape).astype(dt), None)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A bool tensor: whether each entry of `elements` occurs in `test_elements`."""
    a = _array(elements, "isin", "elements")
    b = _array(test_elements, "isin", "test_elements")
    return _make(np.asarray(np.isin(a, b, invert=invert)), None)
