"""Variable-length sequences, as `torch.nn.utils.rnn`: padding and packing.

A `PackedSequence` stores a batch of sequences time-major without padding: `data` holds the
rows of step 0 of every sequence, then those of step 1 of every sequence still running, and so
on; `batch_sizes[t]` says how many rows step t has. The sequences are ordered longest first
(`sorted_indices[i]` is the original batch index of the i-th longest, `unsorted_indices` its
inverse), so the sequences running at step t are always the first `batch_sizes[t]`.

Every conversion here is one gather (an index into the rows of a single Tensor), so gradients
flow back to the padded or packed input, to any order.
"""
import collections

import numpy as np

import autograd
from autograd.tensor import Tensor

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]

_Fields = collections.namedtuple("PackedSequence_",
                                 ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _int64(values):
    return autograd.tensor(np.asarray(values, dtype=np.int64), dtype=autograd.int64)


def _ints(values):
    """A 1-D int64 NumPy array from a Tensor, an array or a sequence of ints."""
    if isinstance(values, Tensor):
        return values._data.astype(np.int64, copy=False)
    return np.asarray(values, dtype=np.int64)


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    perm = _ints(permutation)
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size, dtype=np.int64)
    return _int64(inverse)


class PackedSequence(_Fields):
    """A batch of variable-length sequences packed time-major (see the module docstring).

    Made by `pack_padded_sequence` or `pack_sequence`, not by hand; accepted by `nn.RNN`,
    `nn.LSTM` and `nn.GRU`, which return one for the output.

    Shapes: data: (sum(lengths), *)  batch_sizes: (max(lengths),) int64
    sorted_indices, unsorted_indices: (B,) int64 or None
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)), the old form
            data, batch_sizes = data
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _int64(batch_sizes)
        if sorted_indices is not None and not isinstance(sorted_indices, Tensor):
            sorted_indices = _int64(sorted_indices)
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        elif not isinstance(unsorted_indices, Tensor):
            unsorted_indices = _int64(unsorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """A PackedSequence whose `data` is `data.to(*args, **kwargs)` (the indices stay)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self):
        return self.to(dtype=autograd.float64)

    def float(self):
        return self.to(dtype=autograd.float32)

    def half(self):
        return self.to(dtype=autograd.float16)

    def cpu(self):
        return self

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _row_gather(source, rows, out_shape):
    """`source` (R, *) gathered at the integer array `rows` and reshaped to out_shape + (*)."""
    picked = source[rows.reshape(-1)]
    return picked.reshape(tuple(out_shape) + tuple(source.shape[1:]))


def _with_pad_row(data, padding_value):
    """`data` (R, *) with one more row of `padding_value` at index R."""
    pad = autograd.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    return autograd.cat([data, pad], 0)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of different lengths into one Tensor, padded with `padding_value` on
    `padding_side` to the longest length L.

    Shapes: sequences: each (L_i, *)  ->  (L, B, *), or (B, L, *) with batch_first

    Example:
        >>> a, b = autograd.ones(3, 2), autograd.ones(1, 2)
        >>> pad_sequence([a, b]).shape
        (3, 2, 2)
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for i, s in enumerate(sequences):
        if s.ndim == 0 or tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence must have shape (L_i, "
                               f"*{trailing}), but sequence 0 has shape "
                               f"{tuple(sequences[0].shape)} and sequence {i} has shape "
                               f"{tuple(s.shape)}")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    total, longest = int(lengths.sum()), int(lengths.max())
    t = np.arange(longest)[:, None]                      # (L, 1)
    shift = 0 if padding_side == "right" else (longest - lengths)[None, :]
    step = t - shift                                     # step of each sequence at row t
    rows = np.where((step >= 0) & (step < lengths[None, :]), starts[None, :] + step, total)
    source = _with_pad_row(autograd.cat(sequences, 0), padding_value)
    padded = _row_gather(source, rows, rows.shape)       # (L, B, *)
    return padded.transpose(0, 1) if batch_first else padded


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The inverse of `pad_sequence` (right padding): a list of (L_i, *) Tensors."""
    lengths = _ints(lengths)
    padded = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [padded[i, :int(n)] for i, n in enumerate(lengths)]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch whose sequence b has `lengths[b]` valid steps.

    With `enforce_sorted` the lengths must be non-increasing (no reordering, `sorted_indices`
    None); otherwise the batch is sorted longest first and the order is remembered.

    Shapes: input: (T, B, *) or (B, T, *) with batch_first  lengths: (B,)  ->  PackedSequence
    """
    if isinstance(lengths, Tensor) and lengths.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.ndim}D tensor")
    lengths = _ints(lengths)
    if input.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must have at least 2 dims (T, B, *), "
                         f"got shape {tuple(input.shape)}")
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if lengths.ndim != 1 or lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.size} (batch_size={batch})")
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if lengths.size and lengths.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({int(lengths.max())}) exceeds the "
                           f"number of steps of the padded input ({steps})")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = _int64(order)
        lengths = lengths[order]
    batch_sizes = (lengths[None, :] > np.arange(int(lengths[0]))[:, None]).sum(1)
    rows = np.concatenate([t * batch + order[:n] for t, n in enumerate(batch_sizes)])
    flat = input.reshape((steps * batch,) + tuple(input.shape[2:]))
    return PackedSequence(_row_gather(flat, rows, rows.shape), _int64(batch_sizes),
                          sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack a PackedSequence into a padded batch in the original order, and the lengths.

    `total_length` pads to that many steps (at least the longest length).

    Shapes: data: (sum(lengths), *)  ->  ((T, B, *) or (B, T, *) with batch_first, (B,) int64)
    """
    data = sequence.data
    batch_sizes = _ints(sequence.batch_sizes)
    steps, batch = batch_sizes.size, int(batch_sizes[0])
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps_out = int(total_length)
    else:
        steps_out = steps
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)  # sorted order
    where = np.arange(batch) if sequence.unsorted_indices is None \
        else _ints(sequence.unsorted_indices)                            # sorted position
    starts = np.concatenate([[0], np.cumsum(batch_sizes)])
    t = np.arange(steps_out)[:, None]
    valid = t < lengths[where][None, :]
    rows = np.where(valid, starts[np.minimum(t, steps)] + where[None, :], data.shape[0])
    padded = _row_gather(_with_pad_row(data, padding_value), rows, rows.shape)
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _int64(lengths[where])


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) Tensors (longest first unless `enforce_sorted` is False)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The inverse of `pack_sequence`: a list of (L_i, *) Tensors in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
