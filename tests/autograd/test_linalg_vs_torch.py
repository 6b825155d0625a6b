"""torch.linalg (norms, inv, det, slogdet, solve, cholesky, svdvals, multi_dot) and the
top-level aliases and scaled products against PyTorch: values, gradients, second derivatives
and the errors for singular or non-square input (skipped without torch)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from torch_compare import compare  # noqa: E402

RNG = np.random.default_rng(2)


def _r(*shape):
    return RNG.standard_normal(shape)


def _well_conditioned(*shape):
    n = shape[-1]
    return _r(*shape) + 2 * n * np.eye(n)


def _spd(*shape):
    b = _r(*shape)
    return b @ np.swapaxes(b, -1, -2) + np.eye(shape[-1])


# ---------------------------------------------------------------------- norms
@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, 0, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (-1, True), ((0, 2), False)])
def test_vector_norm_matches_torch(ord, dim, keepdim):
    compare(torch, lambda x: autograd.linalg.vector_norm(x, ord, dim, keepdim),
            lambda x: torch.linalg.vector_norm(x, ord, dim, keepdim), _r(2, 3, 4),
            grad=ord != 0)


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((0, 2), True), ((2, 0), False)])
def test_matrix_norm_matches_torch(ord, dim, keepdim):
    compare(torch, lambda x: autograd.linalg.matrix_norm(x, ord, dim, keepdim),
            lambda x: torch.linalg.matrix_norm(x, ord, dim, keepdim), _r(3, 2, 4))


@pytest.mark.parametrize("shape,ord,dim", [((3, 4), None, None), ((2, 3, 4), None, None),
                                           ((5,), 1, None), ((3, 4), "nuc", None),
                                           ((3, 4), math.inf, None), ((2, 3, 4), None, 1),
                                           ((2, 3, 4), 3, (2,)), ((2, 3, 4), None, (0, 1))])
def test_linalg_norm_picks_a_vector_or_matrix_norm_like_torch(shape, ord, dim):
    compare(torch, lambda x: autograd.linalg.norm(x, ord, dim),
            lambda x: torch.linalg.norm(x, ord, dim), _r(*shape))


def test_norm_gradient_at_the_zero_vector_is_zero_like_torch():
    compare(torch, autograd.linalg.vector_norm, torch.linalg.vector_norm, np.zeros(3))
    compare(torch, autograd.linalg.matrix_norm, torch.linalg.matrix_norm, np.zeros((2, 2)))


def test_linalg_norm_rejects_ord_without_dim_on_3d_input():
    with pytest.raises(RuntimeError):
        torch.linalg.norm(torch.zeros(2, 2, 2), 1)
    with pytest.raises(RuntimeError, match="1D or 2D"):
        autograd.linalg.norm(autograd.zeros(2, 2, 2), 1)


# ---------------------------------------------------------------------- inverses and determinants
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1)])
def test_inv_det_slogdet_logdet_match_torch(shape):
    x = _well_conditioned(*shape)
    compare(torch, autograd.linalg.inv, torch.linalg.inv, x)
    compare(torch, autograd.inverse, torch.inverse, x)
    compare(torch, autograd.linalg.det, torch.linalg.det, x)
    compare(torch, lambda a: a.det(), lambda a: a.det(), -x)
    # (PyTorch's sign output requires grad though it has none; compared detached)
    compare(torch, lambda a: (autograd.linalg.slogdet(a).sign.detach(),
                              autograd.linalg.slogdet(a).logabsdet),
            lambda a: (torch.linalg.slogdet(a).sign.detach(), torch.linalg.slogdet(a).logabsdet),
            -x)
    compare(torch, lambda a: autograd.slogdet(a)[1], lambda a: torch.slogdet(a)[1], x)
    compare(torch, autograd.logdet, torch.logdet, x)


def test_logdet_is_nan_for_a_negative_determinant_and_minus_inf_for_zero():
    x = np.diag([1.0, -2.0])
    compare(torch, autograd.logdet, torch.logdet, x, grad=False)
    compare(torch, autograd.logdet, torch.logdet, np.zeros((2, 2)), grad=False)


def test_det_gradient_at_a_singular_matrix_is_the_adjugate():
    # d det / dA = adj(A)^T = [[d, -c], [-b, a]]. (PyTorch 2.13 returns zeros here: its
    # formula goes through the inverse, so it differs from the true derivative on purpose.)
    a = autograd.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=autograd.float64, requires_grad=True)
    autograd.det(a).backward()
    np.testing.assert_allclose(a.grad.numpy(), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    b = autograd.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]],
                        dtype=autograd.float64, requires_grad=True)
    autograd.det(b).backward()
    # row 0's cofactors: minors of rows 1 and 2
    np.testing.assert_allclose(b.grad.numpy()[0], [4 * 2 - 6 * -1, -(2 * 2 - 6 * 0.5),
                                                   2 * -1 - 4 * 0.5], atol=1e-9)
    np.testing.assert_allclose(b.grad.numpy()[2], [0.0, 0.0, 0.0], atol=1e-9)


@pytest.mark.parametrize("fn", ["inv", "det", "slogdet", "cholesky"])
def test_second_derivatives_of_matrix_functions_match_torch(fn):
    x = _spd(3, 3) if fn == "cholesky" else _well_conditioned(3, 3)
    w = _r(3, 3)
    a = autograd.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)

    def first(mod, m):
        out = getattr(mod.linalg, fn)(m)
        out = out.logabsdet if fn == "slogdet" else out
        wt = autograd.tensor(w) if mod is autograd else torch.tensor(w)
        return (out * (wt if out.ndim else wt[0, 0])).sum()

    ga, = autograd.grad(first(autograd, a), a, create_graph=True)
    gt, = torch.autograd.grad(first(torch, t), t, create_graph=True)
    np.testing.assert_allclose(ga.detach().numpy(), gt.detach().numpy(), rtol=1e-8, atol=1e-12)
    (ga * ga).sum().backward()
    (gt * gt).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-10)


# ---------------------------------------------------------------------- solve and cholesky
@pytest.mark.parametrize("a_shape,b_shape", [((3, 3), (3,)), ((3, 3), (3, 2)),
                                             ((2, 3, 3), (3, 1)), ((2, 3, 3), (2, 3)),
                                             ((2, 1, 3, 3), (4, 3, 2))])
def test_solve_matches_torch_with_vectors_and_batches(a_shape, b_shape):
    compare(torch, autograd.linalg.solve, torch.linalg.solve, _well_conditioned(*a_shape),
            _r(*b_shape))


def test_solve_from_the_right_matches_torch():
    compare(torch, lambda a, b: autograd.linalg.solve(a, b, left=False),
            lambda a, b: torch.linalg.solve(a, b, left=False), _well_conditioned(3, 3),
            _r(2, 3))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_cholesky_matches_torch_and_reads_only_its_triangle(upper, shape):
    x = _spd(*shape)
    # garbage in the other triangle: ignored by both
    x = x + (np.tril(_r(*shape), -1) if upper else np.triu(_r(*shape), 1))
    compare(torch, lambda a: autograd.linalg.cholesky(a, upper=upper),
            lambda a: torch.linalg.cholesky(a, upper=upper), x)
    compare(torch, lambda a: autograd.cholesky(a, upper),
            lambda a: torch.cholesky(a, upper), x)


def test_svdvals_matches_torch():
    compare(torch, autograd.linalg.svdvals, torch.linalg.svdvals, _r(2, 4, 3))


def test_svdvals_refuses_double_backward():
    a = autograd.tensor(_r(3, 3), requires_grad=True)
    g, = autograd.grad(autograd.linalg.svdvals(a).sum(), a, create_graph=False)
    assert g.shape == (3, 3)
    with pytest.raises(RuntimeError, match="double backward"):
        autograd.grad(autograd.linalg.svdvals(a).sum(), a, create_graph=True)


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky"])
def test_non_square_input_raises_runtime_error_like_torch(name):
    with pytest.raises(RuntimeError):
        getattr(torch.linalg, name)(torch.zeros(2, 3))
    with pytest.raises(RuntimeError, match="square matrices, but they are 2 by 3"):
        getattr(autograd.linalg, name)(autograd.zeros(2, 3))


def test_singular_input_raises_linalg_error_like_torch():
    for call in (lambda m: m.linalg.inv(m.zeros(2, 2)),
                 lambda m: m.linalg.solve(m.zeros(2, 2), m.ones(2)),
                 lambda m: m.linalg.cholesky(-m.eye(2))):
        with pytest.raises(torch.linalg.LinAlgError):
            call(torch)
        with pytest.raises(autograd.linalg.LinAlgError):
            call(autograd)
    assert issubclass(autograd.linalg.LinAlgError, RuntimeError)


def test_slogdet_of_a_singular_matrix_is_zero_sign_and_minus_inf_like_torch():
    compare(torch, autograd.linalg.slogdet, torch.linalg.slogdet, np.zeros((2, 2)), grad=False)


def test_solve_rejects_mismatched_shapes():
    with pytest.raises(RuntimeError):
        torch.linalg.solve(torch.eye(3), torch.ones(2, 1))
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        autograd.linalg.solve(autograd.eye(3), autograd.ones(2, 1))


# ---------------------------------------------------------------------- products
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, -2.0), (0, 1)])
def test_addmv_baddbmm_addbmm_match_torch(beta, alpha):
    compare(torch, lambda c, a, b: autograd.addmv(c, a, b, beta=beta, alpha=alpha),
            lambda c, a, b: torch.addmv(c, a, b, beta=beta, alpha=alpha), _r(3), _r(3, 4), _r(4))
    compare(torch, lambda c, a, b: c.baddbmm(a, b, beta=beta, alpha=alpha),
            lambda c, a, b: c.baddbmm(a, b, beta=beta, alpha=alpha), _r(2, 3, 5), _r(2, 3, 4),
            _r(2, 4, 5))
    compare(torch, lambda c, a, b: autograd.addbmm(c, a, b, beta=beta, alpha=alpha),
            lambda c, a, b: torch.addbmm(c, a, b, beta=beta, alpha=alpha), _r(3, 5),
            _r(2, 3, 4), _r(2, 4, 5))


def test_beta_zero_ignores_nan_in_the_input_like_torch():
    compare(torch, lambda c, a, b: autograd.addmv(c, a, b, beta=0),
            lambda c, a, b: torch.addmv(c, a, b, beta=0), np.full(3, np.nan), _r(3, 4), _r(4))


def test_multi_dot_and_chain_matmul_match_torch():
    compare(torch, lambda *m: autograd.linalg.multi_dot(m), lambda *m: torch.linalg.multi_dot(m),
            _r(4), _r(4, 3), _r(3, 2), _r(2))
    compare(torch, lambda *m: autograd.linalg.multi_dot(m), lambda *m: torch.linalg.multi_dot(m),
            _r(2, 4), _r(4, 3), _r(3, 2))
    compare(torch, autograd.chain_matmul, torch.chain_matmul, _r(2, 4), _r(4, 3), _r(3, 2))
