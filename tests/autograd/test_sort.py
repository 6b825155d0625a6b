"""sort, argsort, topk, tril, triu: ordering rules, gradients at the chosen positions, errors."""
import numpy as np
import pytest

import autograd


def test_sort_is_stable_and_puts_nan_last_ascending_first_descending():
    x = autograd.tensor(np.array([2.0, np.nan, 1.0, 2.0, 1.0]))
    values, indices = autograd.sort(x)
    assert indices.tolist() == [2, 4, 0, 3, 1]
    np.testing.assert_array_equal(values.numpy(), [1.0, 1.0, 2.0, 2.0, np.nan])
    values, indices = x.sort(descending=True)
    assert indices.tolist() == [1, 0, 3, 2, 4]
    assert autograd.argsort(x, descending=True).tolist() == [1, 0, 3, 2, 4]


def test_topk_picks_the_largest_or_smallest_in_order_and_routes_the_gradient():
    x = autograd.tensor(np.array([[0.5, 3.0, -1.0, 2.0]]), requires_grad=True)
    values, indices = x.topk(2)
    assert indices.tolist() == [[1, 3]] and values.tolist() == [[3.0, 2.0]]
    (values * autograd.tensor(np.array([[10.0, 1.0]]))).sum().backward()
    assert x.grad.tolist() == [[0.0, 10.0, 0.0, 1.0]]
    assert autograd.topk(x, 1, largest=False).indices.tolist() == [[2]]


def test_topk_rejects_a_k_larger_than_the_dim():
    with pytest.raises(RuntimeError, match=r"k \(5\).*\[0, 4\].*shape \(1, 4\)"):
        autograd.topk(autograd.zeros(1, 4), 5)


def test_tril_and_triu_keep_their_triangle_and_its_gradient():
    x = autograd.tensor(np.arange(1.0, 10.0).reshape(3, 3), requires_grad=True)
    assert x.tril().tolist() == [[1, 0, 0], [4, 5, 0], [7, 8, 9]]
    assert autograd.triu(x, 1).tolist() == [[0, 2, 3], [0, 0, 6], [0, 0, 0]]
    autograd.triu(x, 1).sum().backward()
    assert x.grad.tolist() == [[0, 1, 1], [0, 0, 1], [0, 0, 0]]


def test_triangles_need_two_dims():
    with pytest.raises(RuntimeError, match=r"at least 2 dimensions.*\(3,\)"):
        autograd.tril(autograd.zeros(3))
