"""svd, eigh, qr, pinv, lstsq, matrix_rank, cond, matrix_exp and the _ex variants on inputs
whose answers are known by hand."""
import math

import numpy as np
import pytest

import autograd
from autograd import linalg


def _t(x, grad=False):
    return autograd.tensor(np.asarray(x, np.float64), requires_grad=grad)


def test_svd_of_a_scaled_permutation_has_the_scales_as_singular_values():
    u, s, vh = linalg.svd(_t([[0.0, 2.0], [3.0, 0.0], [0.0, 0.0]]), full_matrices=False)
    np.testing.assert_allclose(s.numpy(), [3.0, 2.0])
    np.testing.assert_allclose(np.abs(u.numpy()), [[0, 1], [1, 0], [0, 0]], atol=1e-15)
    np.testing.assert_allclose(np.abs(vh.numpy()), [[1, 0], [0, 1]], atol=1e-15)
    full = linalg.svd(_t(np.ones((3, 2))))
    assert tuple(full.U.shape) == (3, 3) and tuple(full.Vh.shape) == (2, 2)


def test_gradient_of_the_nuclear_norm_through_svd_is_u_vh():
    # d(sum s)/dA = U Vh; for A = diag(3, 2) that is the identity
    a = _t([[3.0, 0.0], [0.0, 2.0]], grad=True)
    linalg.svd(a).S.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.eye(2), atol=1e-14)


def test_extra_columns_of_full_matrices_carry_no_gradient():
    a = _t(np.arange(6.0).reshape(3, 2) + np.eye(3, 2), grad=True)
    u = linalg.svd(a, full_matrices=True).U
    (u[:, 2:] ** 2).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.zeros((3, 2)))


def test_eigh_of_a_two_by_two_and_the_gradient_of_the_eigenvalue_sum_is_the_identity():
    a = _t([[2.0, 1.0], [1.0, 2.0]], grad=True)
    lam, v = linalg.eigh(a)
    np.testing.assert_allclose(lam.detach().numpy(), [1.0, 3.0])
    np.testing.assert_allclose(np.abs(v.detach().numpy()), np.full((2, 2), 0.5 ** 0.5))
    lam.sum().backward()  # the trace
    np.testing.assert_allclose(a.grad.numpy(), np.eye(2), atol=1e-14)


def test_eigh_reads_only_the_chosen_triangle():
    x = _t([[1.0, 100.0], [0.0, 1.0]])
    np.testing.assert_allclose(linalg.eigvalsh(x).numpy(), [1.0, 1.0])
    np.testing.assert_allclose(linalg.eigvalsh(x, UPLO="U").numpy(), [-99.0, 101.0])


def test_qr_gives_orthonormal_q_and_upper_triangular_r():
    x = np.array([[3.0, 1.0], [4.0, 2.0], [0.0, 5.0]])
    q, r = linalg.qr(_t(x))
    np.testing.assert_allclose(q.numpy().T @ q.numpy(), np.eye(2), atol=1e-14)
    assert r.numpy()[1, 0] == 0
    np.testing.assert_allclose(abs(r.numpy()[0, 0]), 5.0)
    np.testing.assert_allclose(q.numpy() @ r.numpy(), x, atol=1e-14)
    assert tuple(linalg.qr(_t(x), mode="complete").Q.shape) == (3, 3)


def test_pinv_of_a_rank_one_matrix_is_its_scaled_transpose():
    u, v = np.array([1.0, 2.0, 2.0]), np.array([3.0, 4.0])
    a = np.outer(u, v)  # pinv(u v^T) = v u^T / (|u|^2 |v|^2)
    np.testing.assert_allclose(linalg.pinv(_t(a)).numpy(), np.outer(v, u) / (9 * 25))
    np.testing.assert_allclose(autograd.pinverse(_t(a)).numpy(), np.outer(v, u) / 225)


def test_lstsq_fits_a_line_through_exact_points_with_zero_residuals():
    xs = np.array([0.0, 1.0, 2.0, 3.0])
    a = np.stack([np.ones(4), xs], 1)
    b = (1.5 + 2.0 * xs)[:, None]
    res = linalg.lstsq(_t(a), _t(b), driver="gelsd")
    np.testing.assert_allclose(res.solution.numpy(), [[1.5], [2.0]])
    np.testing.assert_allclose(res.residuals.numpy(), [0.0], atol=1e-24)
    assert int(res.rank) == 2
    assert tuple(linalg.lstsq(_t(a), _t(b)).residuals.shape) == (0,)  # gelsy: none


def test_matrix_rank_and_cond_by_hand():
    assert int(linalg.matrix_rank(_t(np.ones((3, 4))))) == 1
    assert int(linalg.matrix_rank(_t(np.eye(3)), atol=2.0)) == 0
    d = _t(np.diag([1.0, 4.0]))
    assert float(linalg.cond(d)) == pytest.approx(4.0)
    assert float(linalg.cond(d, -2)) == pytest.approx(0.25)
    assert float(linalg.cond(d, 1)) == pytest.approx(4.0)


def test_matrix_exp_of_diagonal_nilpotent_and_rotation_generators():
    np.testing.assert_allclose(linalg.matrix_exp(_t(np.diag([0.0, 1.0, -2.0]))).numpy(),
                               np.diag(np.exp([0.0, 1.0, -2.0])), rtol=1e-14)
    np.testing.assert_allclose(linalg.matrix_exp(_t([[0.0, 1.0], [0.0, 0.0]])).numpy(),
                               [[1.0, 1.0], [0.0, 1.0]], atol=1e-15)
    t = 30.0  # far past the Pade bound: scaling and squaring at work
    np.testing.assert_allclose(linalg.matrix_exp(_t([[0.0, -t], [t, 0.0]])).numpy(),
                               [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]],
                               atol=1e-12)


def test_gradient_of_the_trace_of_matrix_exp_is_its_transpose():
    a = _t([[0.1, 0.7], [-0.3, 0.2]], grad=True)
    e = autograd.matrix_exp(a)
    autograd.trace(e).backward()
    np.testing.assert_allclose(a.grad.numpy(), e.detach().numpy().T, rtol=1e-12)


def test_inv_ex_and_cholesky_ex_report_the_failing_pivot_or_minor():
    out = linalg.inv_ex(_t([[[2.0, 0.0], [0.0, 4.0]], [[1.0, 2.0], [2.0, 4.0]]]))
    np.testing.assert_array_equal(out.info.numpy(), [0, 2])
    np.testing.assert_allclose(out.inverse.numpy()[0], [[0.5, 0.0], [0.0, 0.25]])
    assert np.isnan(out.inverse.numpy()[1]).all()
    chol = linalg.cholesky_ex(_t(np.diag([4.0, 1.0, -1.0])))
    assert int(chol.info) == 3 and chol.info.dtype == np.int32
    with pytest.raises(linalg.LinAlgError, match="order 3"):
        linalg.cholesky_ex(_t(np.diag([4.0, 1.0, -1.0])), check_errors=True)


def test_eig_and_eigvals_refuse_because_their_results_are_complex():
    for fn in (linalg.eig, linalg.eigvals):
        with pytest.raises(TypeError, match="complex"):
            fn(_t([[0.0, -1.0], [1.0, 0.0]]))


def test_integer_input_is_refused_naming_the_dtype():
    with pytest.raises(RuntimeError, match="int64"):
        linalg.svd(autograd.tensor([[1, 2], [3, 4]]))


def test_lstsq_refuses_an_unknown_driver_and_mismatched_rows():
    with pytest.raises(RuntimeError, match="driver"):
        linalg.lstsq(_t(np.eye(2)), _t(np.eye(2)), driver="magic")
    with pytest.raises(RuntimeError, match=r"\(3, 2\)"):
        linalg.lstsq(_t(np.ones((3, 2))), _t(np.ones((4, 1))))


def test_lu_of_a_two_by_two_that_needs_a_row_swap():
    p, lo, up = linalg.lu(_t([[1.0, 2.0], [4.0, 6.0]]))
    np.testing.assert_array_equal(p.numpy(), [[0, 1], [1, 0]])
    np.testing.assert_allclose(lo.numpy(), [[1.0, 0.0], [0.25, 1.0]])
    np.testing.assert_allclose(up.numpy(), [[4.0, 6.0], [0.0, 0.5]])
    lu_, piv = linalg.lu_factor(_t([[1.0, 2.0], [4.0, 6.0]]))
    np.testing.assert_array_equal(piv.numpy(), [2, 2])
    x = linalg.lu_solve(lu_, piv, _t([[5.0], [16.0]]))  # x = (1, 2)
    np.testing.assert_allclose(x.numpy(), [[1.0], [2.0]])


def test_lu_gradient_of_a_rectangular_matrix_is_refused():
    a = _t(np.arange(6.0).reshape(3, 2), grad=True)
    with pytest.raises(RuntimeError, match="square"):
        linalg.lu(a).U.sum().backward()
