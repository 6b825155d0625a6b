"""The regularised incomplete gamma function, its derivative in the shape parameter, and the
reparameterised Gamma/Beta/Dirichlet samples built on them: against SciPy, PyTorch and
Monte Carlo expectations (each comparison skips when its library is missing)."""
import numpy as np
import pytest

import autograd
from autograd import distributions as D
from autograd.ops.igamma import _gammainc_and_da, _standard_gamma_grad, gammainc

A = np.array([0.05, 0.3, 0.3, 1.5, 1.5, 1.5, 10.0, 10.0, 100.0, 0.7, 3.0, 50.0, 1000.0])
X = np.array([0.01, 0.01, 4.0, 0.7, 2.4, 20.0, 12.0, 3.0, 90.0, 5.0, 2.9, 80.0, 1100.0])


def test_gammainc_matches_scipy_in_both_tails():
    sp = pytest.importorskip("scipy.special")
    p, _ = _gammainc_and_da(A, X)
    np.testing.assert_allclose(p, sp.gammainc(A, X), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(1 - p, sp.gammaincc(A, X), rtol=1e-9, atol=1e-15)


def test_gammainc_derivative_in_a_matches_central_differences_of_scipy():
    sp = pytest.importorskip("scipy.special")
    _, dp = _gammainc_and_da(A, X)
    h = 1e-5 * np.sqrt(np.maximum(A, 1))
    # differentiate whichever of P and Q is small, so the difference does not cancel
    use_q = sp.gammainc(A, X) > 0.5
    fp = (sp.gammainc(A + h, X) - sp.gammainc(A - h, X)) / (2 * h)
    fq = -(sp.gammaincc(A + h, X) - sp.gammaincc(A - h, X)) / (2 * h)
    # NOTE: the central difference itself is good to ~1e-9 relative (h^2 error and rounding)
    np.testing.assert_allclose(dp, np.where(use_q, fq, fp), rtol=1e-8)


def test_gammainc_at_known_values():
    # P(1, x) = 1 - e^-x and P(1/2, x) = erf(sqrt x), by hand
    import math
    x = np.array([0.1, 1.0, 3.0, 10.0])
    p1, _ = _gammainc_and_da(np.ones(4), x)
    np.testing.assert_allclose(p1, 1 - np.exp(-x), rtol=1e-14)
    ph, _ = _gammainc_and_da(np.full(4, 0.5), x)
    np.testing.assert_allclose(ph, [math.erf(math.sqrt(v)) for v in x], rtol=1e-14)
    # as x -> 0, P(a, x) ~ x^a / Gamma(a + 1)
    p0, _ = _gammainc_and_da(np.array([2.0]), np.array([1e-8]))
    np.testing.assert_allclose(p0, [1e-16 / 2], rtol=1e-7)


def test_gammainc_rejects_integer_tensors_and_is_nan_outside_the_domain():
    with pytest.raises(TypeError, match="floating"):
        gammainc(autograd.tensor([1, 2]), autograd.tensor([1.0, 2.0]))
    out = gammainc(autograd.tensor([-1.0, 1.0]), autograd.tensor([1.0, -1.0])).numpy()
    assert np.isnan(out).all()


def test_gammainc_gradient_in_x_is_the_gamma_density():
    import math
    a = autograd.tensor([0.7, 2.5], dtype=autograd.float64, requires_grad=True)
    x = autograd.tensor([0.4, 3.0], dtype=autograd.float64, requires_grad=True)
    gammainc(a, x).sum().backward()
    dens = [v ** (k - 1) * math.exp(-v) / math.gamma(k) for k, v in ((0.7, 0.4), (2.5, 3.0))]
    np.testing.assert_allclose(x.grad.numpy(), dens, rtol=1e-13)


def test_standard_gamma_grad_matches_torch():
    torch = pytest.importorskip("torch")
    ours = _standard_gamma_grad(A, X)
    theirs = torch._standard_gamma_grad(torch.tensor(A), torch.tensor(X)).numpy()
    # NOTE: PyTorch approximates this gradient (series for small x, an asymptotic expansion
    # for large alpha, rational fits in between) to ~1e-3 relative; ours agrees with SciPy's
    # finite differences to ~1e-9 (test above).
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)


def test_gamma_cdf_and_its_gradients_match_torch():
    torch = pytest.importorskip("torch")
    a, b, v = [0.7, 3.0, 20.0], [1.5, 0.4, 2.0], [0.8, 2.1, 9.0]
    ours = [autograd.tensor(t, dtype=autograd.float64, requires_grad=True) for t in (a, b, v)]
    theirs = [torch.tensor(t, dtype=torch.float64, requires_grad=True) for t in (a, b, v)]
    co = D.Gamma(ours[0], ours[1]).cdf(ours[2])
    ct = torch.distributions.Gamma(theirs[0], theirs[1]).cdf(theirs[2])
    np.testing.assert_allclose(co.detach().numpy(), ct.detach().numpy(), rtol=1e-12)
    co.sum().backward()
    # torch has no derivative in the concentration; compare the rate and value gradients
    gb, gv = torch.autograd.grad(ct.sum(), theirs[1:])
    np.testing.assert_allclose(ours[1].grad.numpy(), gb.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[2].grad.numpy(), gv.numpy(), rtol=1e-12)
    assert np.all(ours[0].grad.numpy() < 0)  # more shape pushes mass right: P falls


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet", "Chi2", "StudentT"])
def test_has_rsample_matches_torch(name):
    torch = pytest.importorskip("torch")
    args = {"Gamma": (2.0, 1.0), "Beta": (2.0, 1.0), "Chi2": (2.0,), "StudentT": (2.0,)}
    if name == "Dirichlet":
        ours, theirs = D.Dirichlet(autograd.ones(3)), torch.distributions.Dirichlet(
            torch.ones(3))
    else:
        ours, theirs = getattr(D, name)(*args[name]), getattr(torch.distributions, name)(
            *args[name])
    assert ours.has_rsample is True and theirs.has_rsample is True


def _mc_grad(make, param, n=40000):
    autograd.manual_seed(0)
    p = autograd.tensor(param, dtype=autograd.float64, requires_grad=True)
    value = make(p)
    value.backward()
    return p.grad.numpy()


def test_gamma_rsample_gradient_is_the_gradient_of_the_expectation():
    # E[x^2] = a (a + 1) / b^2 for x ~ Gamma(a, b):  d/da = (2a + 1) / b^2,  d/db = -2 a(a+1)/b^3
    a, b = np.array([0.4, 2.5]), np.array([1.5, 0.7])
    ga = _mc_grad(lambda t: (D.Gamma(t, autograd.tensor(b)).rsample((40000,)) ** 2)
                  .mean(0).sum(), a)
    np.testing.assert_allclose(ga, (2 * a + 1) / b ** 2, rtol=0.05)
    gb = _mc_grad(lambda t: (D.Gamma(autograd.tensor(a), t).rsample((40000,)) ** 2)
                  .mean(0).sum(), b)
    np.testing.assert_allclose(gb, -2 * a * (a + 1) / b ** 3, rtol=0.05)


def test_beta_rsample_gradient_is_the_gradient_of_the_mean():
    # E[x] = a / (a + b):  d/da = b / (a + b)^2
    a, b = np.array([0.5, 3.0]), np.array([2.0, 1.2])
    g = _mc_grad(lambda t: D.Beta(t, autograd.tensor(b)).rsample((40000,)).mean(0).sum(), a)
    np.testing.assert_allclose(g, b / (a + b) ** 2, rtol=0.05)


def test_dirichlet_rsample_gradient_is_the_gradient_of_the_mean():
    # d E[x_0] / d alpha = (a0_total - a_0, -a_0, -a_0) / total^2
    alpha = np.array([0.8, 2.0, 1.5])
    g = _mc_grad(lambda t: D.Dirichlet(t).rsample((40000,))[:, 0].mean(), alpha)
    tot = alpha.sum()
    expected = np.array([tot - alpha[0], -alpha[0], -alpha[0]]) / tot ** 2
    np.testing.assert_allclose(g, expected, atol=0.01)


def test_chi2_rsample_gradient_matches_the_mean():
    # E[x] = df:  d/d df = 1
    g = _mc_grad(lambda t: D.Chi2(t).rsample((40000,)).mean(0).sum(), np.array([0.7, 4.0]))
    np.testing.assert_allclose(g, [1.0, 1.0], rtol=0.05)


def test_gamma_rsample_double_backward_raises_runtime_error():
    a = autograd.tensor([1.5], dtype=autograd.float64, requires_grad=True)
    x = D.Gamma(a, 1.0).rsample()
    with pytest.raises(RuntimeError, match="double backward"):
        autograd.grad(x.sum(), a, create_graph=True)


def test_gamma_rsample_keeps_float32():
    a = autograd.tensor([1.5, 0.2], requires_grad=True)
    x = D.Gamma(a, 2.0).rsample((3,))
    x.sum().backward()
    assert x.dtype == autograd.float32 and a.grad.dtype == autograd.float32
