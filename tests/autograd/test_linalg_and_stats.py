"""Hand-computed behaviour of the diagonal, order-statistic, counting and linalg functions (no
PyTorch needed): chosen indices, gradients at the chosen entries, in-place methods, errors."""
import numpy as np
import pytest

import autograd


def _t(data, requires_grad=False):
    return autograd.tensor(np.asarray(data, np.float64), requires_grad=requires_grad)


def test_diag_round_trips_a_vector_and_its_gradient_lands_on_the_diagonal():
    v = _t([1.0, 2.0], requires_grad=True)
    m = autograd.diag(v, 1)
    assert m.tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    (autograd.diag(m, 1) * _t([3.0, 4.0])).sum().backward()
    assert v.grad.tolist() == [3.0, 4.0]


def test_trace_gradient_is_the_identity():
    x = _t(np.arange(6.0).reshape(2, 3), requires_grad=True)
    autograd.trace(x).backward()
    assert x.grad.tolist() == [[1, 0, 0], [0, 1, 0]]


def test_fill_diagonal_in_place_on_a_non_leaf_zeroes_the_diagonal_gradient():
    x = _t(np.ones((2, 2)), requires_grad=True)
    y = x * 2.0
    y.fill_diagonal_(5.0)
    assert y.tolist() == [[5, 2], [2, 5]]
    y.sum().backward()
    assert x.grad.tolist() == [[0, 2], [2, 0]]


def test_median_along_a_dim_sends_the_gradient_to_the_chosen_entry():
    x = _t([[3.0, 1.0, 2.0, 9.0]], requires_grad=True)
    values, indices = autograd.median(x, 1)
    assert values.tolist() == [2.0] and indices.tolist() == [2]
    values.sum().backward()
    assert x.grad.tolist() == [[0, 0, 1, 0]]


def test_global_median_splits_its_gradient_among_equal_entries():
    x = _t([2.0, 1.0, 2.0, 5.0, 7.0], requires_grad=True)
    autograd.median(x).backward()
    assert x.grad.tolist() == [0.5, 0.0, 0.5, 0.0, 0.0]


def test_quantile_interpolates_between_neighbours_and_weights_their_gradients():
    x = _t([4.0, 1.0, 3.0, 2.0], requires_grad=True)
    q = autograd.quantile(x, 0.5)  # position 1.5 in [1, 2, 3, 4]: 2.5
    assert float(q) == 2.5
    q.backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.5, 0.5]
    assert float(autograd.quantile(x.detach(), 0.5, interpolation="lower")) == 2.0
    assert float(autograd.quantile(x.detach(), 0.5, interpolation="higher")) == 3.0


def test_cummax_gradient_is_added_at_the_running_argmax():
    x = _t([1.0, 3.0, 2.0, 4.0], requires_grad=True)
    values, indices = autograd.cummax(x, 0)
    assert values.tolist() == [1, 3, 3, 4] and indices.tolist() == [0, 1, 1, 3]
    values.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 0.0, 1.0]


def test_logcumsumexp_of_huge_values_does_not_overflow():
    out = autograd.logcumsumexp(_t([1000.0, 1000.0]), 0)
    np.testing.assert_allclose(out.numpy(), [1000.0, 1000.0 + np.log(2.0)])


def test_cdist_of_a_point_with_itself_is_zero_with_a_zero_gradient():
    x = _t([[1.0, 2.0]], requires_grad=True)
    d = autograd.cdist(x, x.detach())
    assert d.tolist() == [[0.0]]
    d.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0]]


def test_unique_counts_and_inverse():
    values, inverse, counts = autograd.unique(autograd.tensor([3, 1, 3, 2]), return_inverse=True,
                                              return_counts=True)
    assert values.tolist() == [1, 2, 3]
    assert inverse.tolist() == [2, 0, 2, 1]
    assert counts.tolist() == [1, 1, 2]


def test_histc_ignores_values_outside_the_range():
    h = autograd.histc(_t([-5.0, 0.0, 0.5, 1.0, 9.0]), bins=2, min=0, max=1)
    assert h.tolist() == [1.0, 2.0]


def test_inv_gradient_is_minus_the_transposed_inverse_squared():
    a = _t([[2.0, 0.0], [0.0, 4.0]], requires_grad=True)
    autograd.linalg.inv(a).sum().backward()
    # d(1/a)/da = -1/a^2 on the diagonal; off-diagonal: -(A^-T 1 A^-T)_ij = -1/(a_i a_j)
    np.testing.assert_allclose(a.grad.numpy(), [[-0.25, -0.125], [-0.125, -0.0625]])


def test_solve_recovers_x_from_a_x_equals_b():
    a = _t([[3.0, 1.0], [1.0, 2.0]])
    x = autograd.linalg.solve(a, _t([9.0, 8.0]))
    np.testing.assert_allclose(x.numpy(), [2.0, 3.0])


def test_cholesky_of_a_diagonal_matrix_is_its_square_root():
    out = autograd.linalg.cholesky(_t([[4.0, 0.0], [0.0, 9.0]]))
    assert out.tolist() == [[2.0, 0.0], [0.0, 3.0]]


@pytest.mark.parametrize("call,error,message", [
    (lambda: autograd.linalg.inv(autograd.zeros(2, 3)), RuntimeError, "2 by 3"),
    (lambda: autograd.linalg.inv(autograd.zeros(2, 2)), autograd.linalg.LinAlgError,
     "singular"),
    (lambda: autograd.linalg.cholesky(-autograd.eye(2)), autograd.linalg.LinAlgError,
     "positive-definite"),
    (lambda: autograd.linalg.det(autograd.zeros(3)), RuntimeError, "at least 2 dimensions"),
    (lambda: autograd.diag(autograd.zeros(2, 2, 2)), RuntimeError, "1D or 2D"),
    (lambda: autograd.cdist(autograd.zeros(2, 3), autograd.zeros(2, 4)), RuntimeError,
     "same number of columns"),
    (lambda: autograd.quantile(autograd.zeros(3), -0.5), RuntimeError, r"range \[0, 1\]"),
    (lambda: autograd.bincount(autograd.tensor([-1, 2])), RuntimeError, "non-negative"),
    (lambda: autograd.rot90(autograd.zeros(2, 2), 1, (0, 0)), RuntimeError, "different"),
    (lambda: autograd.diff(autograd.tensor(1.0)), RuntimeError, "one-dimensional"),
])
def test_bad_input_raises_pytorchs_error_type_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
