"""nn.utils.rnn: padding and packing, against hand-written layouts, and gradients through them."""
import numpy as np
import pytest

import autograd
from nn.utils.rnn import (PackedSequence, invert_permutation, pack_padded_sequence,
                          pack_sequence, pad_packed_sequence, pad_sequence, unpack_sequence,
                          unpad_sequence)


def _seqs():
    # sequence b holds the values 10 * b + step, so every layout can be written by hand
    return [autograd.tensor([[10.0 * b + t] for t in range(n)], dtype=autograd.float64,
                            requires_grad=True) for b, n in enumerate((2, 3, 1))]


def test_pad_sequence_pads_right_or_left_time_major_or_batch_first():
    a, b, c = _seqs()
    right = pad_sequence([a, b, c], padding_value=-1.0)
    assert right.shape == (3, 3, 1)
    assert right[..., 0].tolist() == [[0, 10, 20], [1, 11, -1], [-1, 12, -1]]
    left = pad_sequence([a, b, c], batch_first=True, padding_side="left")
    assert left.shape == (3, 3, 1)
    assert left[..., 0].tolist() == [[0, 0, 1], [10, 11, 12], [0, 0, 20]]


def test_pad_sequence_of_vectors_and_its_gradient_reaches_only_real_steps():
    seqs = [autograd.tensor([1.0, 2.0], requires_grad=True),
            autograd.tensor([3.0], requires_grad=True)]
    out = pad_sequence(seqs, batch_first=True, padding_value=9.0)
    assert out.tolist() == [[1.0, 2.0], [3.0, 9.0]]
    (out * autograd.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert seqs[0].grad.tolist() == [1.0, 2.0] and seqs[1].grad.tolist() == [3.0]


def test_pad_sequence_rejects_bad_arguments():
    with pytest.raises(RuntimeError, match="empty list"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(3, 2\)"):
        pad_sequence([autograd.ones(2, 3), autograd.ones(3, 2)])
    with pytest.raises(ValueError, match="left or right, but got middle"):
        pad_sequence([autograd.ones(2)], padding_side="middle")


def test_pack_padded_sequence_lays_out_steps_time_major_longest_first():
    a, b, c = _seqs()
    padded = pad_sequence([a, b, c])                       # lengths 2, 3, 1: not sorted
    packed = pack_padded_sequence(padded, [2, 3, 1], enforce_sorted=False)
    assert isinstance(packed, PackedSequence) and isinstance(packed, tuple)
    assert packed.data[:, 0].tolist() == [10, 0, 20, 11, 1, 12]
    assert packed.batch_sizes.tolist() == [3, 2, 1]
    assert packed.batch_sizes.dtype == autograd.int64
    assert packed.sorted_indices.tolist() == [1, 0, 2]
    assert packed.unsorted_indices.tolist() == [1, 0, 2]
    data, batch_sizes, sorted_indices, unsorted_indices = packed   # a namedtuple
    assert data is packed.data


def test_pack_padded_sequence_sorted_keeps_the_order_and_no_indices():
    x = autograd.tensor(np.arange(8.0).reshape(2, 4, 1))   # batch_first: B=2, T=4
    packed = pack_padded_sequence(x, autograd.tensor([4, 2]), batch_first=True)
    assert packed.data[:, 0].tolist() == [0, 4, 1, 5, 2, 3]
    assert packed.batch_sizes.tolist() == [2, 2, 1, 1]
    assert packed.sorted_indices is None and packed.unsorted_indices is None


def test_pad_packed_sequence_restores_the_original_order_and_lengths():
    a, b, c = _seqs()
    packed = pack_sequence([a, b, c], enforce_sorted=False)
    padded, lengths = pad_packed_sequence(packed, batch_first=True, padding_value=-1.0,
                                          total_length=4)
    assert lengths.tolist() == [2, 3, 1] and lengths.dtype == autograd.int64
    assert padded[..., 0].tolist() == [[0, 1, -1, -1], [10, 11, 12, -1], [20, -1, -1, -1]]
    weights = autograd.tensor(np.arange(12.0).reshape(3, 4, 1))
    (padded * weights).sum().backward()
    assert a.grad[:, 0].tolist() == [0, 1]
    assert b.grad[:, 0].tolist() == [4, 5, 6]
    assert c.grad[:, 0].tolist() == [8]


def test_unpack_and_unpad_invert_pack_and_pad():
    seqs = _seqs()
    for out in (unpack_sequence(pack_sequence(seqs, enforce_sorted=False)),
                unpad_sequence(pad_sequence(seqs), [2, 3, 1])):
        assert [s.tolist() for s in out] == [s.tolist() for s in seqs]


def test_pack_padded_sequence_rejects_bad_lengths():
    x = autograd.zeros(5, 3, 2)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match="greater than 0"):
        pack_padded_sequence(x, [4, 4, 0])
    with pytest.raises(RuntimeError, match=r"equal to batch_size, but got 2 \(batch_size=3\)"):
        pack_padded_sequence(x, [4, 2])
    with pytest.raises(RuntimeError, match="1D CPU int64 tensor, but got 2D"):
        pack_padded_sequence(x, autograd.tensor([[4, 4, 1]]))
    with pytest.raises(RuntimeError, match=r"length \(6\) exceeds.*\(5\)"):
        pack_padded_sequence(x, [6, 4, 1])


def test_pad_packed_sequence_rejects_a_short_total_length():
    packed = pack_sequence([autograd.ones(4), autograd.ones(2)])
    with pytest.raises(ValueError, match="total_length=3 and max sequence length being 4"):
        pad_packed_sequence(packed, total_length=3)


def test_packed_sequence_to_casts_only_the_data():
    packed = pack_sequence([autograd.ones(2, 3), autograd.ones(3, 3)], enforce_sorted=False)
    double = packed.double()
    assert double.data.dtype == autograd.float64 and packed.data.dtype == autograd.float32
    assert double.batch_sizes is packed.batch_sizes
    assert double.sorted_indices.tolist() == [1, 0]
    assert packed.to(autograd.float32) is packed
    assert not packed.is_cuda


def test_invert_permutation():
    assert invert_permutation(autograd.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    assert invert_permutation(None) is None
