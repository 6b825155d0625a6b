"""embedding_bag / EmbeddingBag without PyTorch: hand-computed bags, gradients, errors."""
import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


def _table():
    # row r is (r, 10 r)
    return autograd.tensor([[float(r), 10.0 * r] for r in range(6)], requires_grad=True)


def test_sum_mean_max_of_bags_cut_at_offsets():
    w = _table()
    idx, off = autograd.tensor([1, 2, 5, 3]), autograd.tensor([0, 2, 2])
    assert F.embedding_bag(idx, w, off, mode="sum").tolist() == [[3.0, 30.0], [0.0, 0.0],
                                                                  [8.0, 80.0]]
    assert F.embedding_bag(idx, w, off, mode="mean").tolist() == [[1.5, 15.0], [0.0, 0.0],
                                                                   [4.0, 40.0]]
    assert F.embedding_bag(idx, w, off, mode="max").tolist() == [[2.0, 20.0], [0.0, 0.0],
                                                                  [5.0, 50.0]]
    F.embedding_bag(idx, w, off, mode="max").sum().backward()
    assert w.grad.tolist() == [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0],
                               [1.0, 1.0]]


def test_padding_idx_is_left_out_of_the_bag_and_its_count():
    w = _table()
    y = F.embedding_bag(autograd.tensor([[1, 0, 3]]), w, mode="mean", padding_idx=0)
    assert y.tolist() == [[2.0, 20.0]]  # (row 1 + row 3) / 2
    y.sum().backward()
    assert w.grad[:, 0].tolist() == [0.0, 0.5, 0.0, 0.5, 0.0, 0.0]


def test_per_sample_weights_scale_rows_and_get_gradients():
    w = _table()
    psw = autograd.tensor([2.0, -1.0], requires_grad=True)
    y = F.embedding_bag(autograd.tensor([4, 1]), w, autograd.tensor([0]), mode="sum",
                        per_sample_weights=psw)
    assert y.tolist() == [[7.0, 70.0]]  # 2 row 4 - row 1
    y.sum().backward()
    assert psw.grad.tolist() == [44.0, 11.0]  # row sums 4 + 40, 1 + 10


def test_layer_init_zeroes_padding_row_and_from_pretrained_freezes():
    bag = nn.EmbeddingBag(5, 3, padding_idx=2, mode="sum")
    assert bag.weight[2].tolist() == [0.0, 0.0, 0.0]
    assert bag.weight.shape == (5, 3) and bag.weight.requires_grad
    frozen = nn.EmbeddingBag.from_pretrained(autograd.ones(4, 2), include_last_offset=True)
    assert not frozen.weight.requires_grad
    y = frozen(autograd.tensor([0, 1, 2]), autograd.tensor([0, 1, 3]))
    assert y.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_errors_name_the_problem():
    w = autograd.randn(6, 2)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(autograd.tensor([1, 2]), w)
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(autograd.tensor([[1, 2]]), w, per_sample_weights=autograd.ones(1, 2))
    with pytest.raises(RuntimeError, match=r"value 9 which is not in the valid range \[0, 6\)"):
        F.embedding_bag(autograd.tensor([[1, 9]]), w)
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0"):
        F.embedding_bag(autograd.tensor([1, 2]), w, autograd.tensor([1]))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(5, 3, padding_idx=5)
