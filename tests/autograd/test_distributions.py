"""autograd.distributions: shapes, gradients, densities against closed forms, sample moments,
validation, reproducibility, and a REINFORCE loop that learns."""
import importlib
import inspect
import math
import pkgutil

import numpy as np
import pytest

import autograd
from autograd import distributions as D
from autograd.distributions import constraints
from autograd.function import Op
from autograd.testing import registry

f64 = autograd.float64


def t(x, requires_grad=False):
    return autograd.tensor(np.asarray(x, np.float64), requires_grad=requires_grad)


# ---------------------------------------------------------------------- a catalogue
# name -> (factory of a distribution with batch_shape (2, 3) unless stated, batch, event)
def _spd(n):
    a = np.array([[1.0, 0.3, -0.2], [0.3, 2.0, 0.1], [-0.2, 0.1, 1.5]])[:n, :n]
    return a


CATALOGUE = {
    "Normal": lambda: D.Normal(t(np.zeros((2, 3))), t(np.full((2, 3), 1.5))),
    "LogNormal": lambda: D.LogNormal(t(np.zeros((2, 3))), t(np.full((2, 3), 0.5))),
    "Uniform": lambda: D.Uniform(t(np.zeros((2, 3))), t(np.full((2, 3), 2.0))),
    "Exponential": lambda: D.Exponential(t(np.full((2, 3), 2.0))),
    "Laplace": lambda: D.Laplace(t(np.zeros((2, 3))), t(np.ones((2, 3)))),
    "Gamma": lambda: D.Gamma(t(np.full((2, 3), 2.5)), t(np.ones((2, 3)))),
    "Beta": lambda: D.Beta(t(np.full((2, 3), 2.0)), t(np.full((2, 3), 3.0))),
    "Poisson": lambda: D.Poisson(t(np.full((2, 3), 3.0))),
    "Binomial": lambda: D.Binomial(10, t(np.full((2, 3), 0.3))),
    "Bernoulli": lambda: D.Bernoulli(t(np.full((2, 3), 0.3))),
    "Categorical": lambda: D.Categorical(logits=t(np.zeros((2, 3, 4)))),
    "OneHotCategorical": lambda: D.OneHotCategorical(probs=t(np.ones((2, 3, 4)))),
    "Dirichlet": lambda: D.Dirichlet(t(np.ones((2, 3, 4)))),
    "MultivariateNormal": lambda: D.MultivariateNormal(t(np.zeros((2, 3, 3))),
                                                       covariance_matrix=t(_spd(3))),
    "Independent": lambda: D.Independent(D.Normal(t(np.zeros((2, 3, 4))), 1.0), 1),
}
EVENT = {"OneHotCategorical": (4,), "Dirichlet": (4,), "MultivariateNormal": (3,),
         "Independent": (4,)}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
@pytest.mark.parametrize("sample_shape", [(), (5,), (4, 1)])
def test_sample_and_log_prob_shapes_follow_sample_batch_and_event_shapes(name, sample_shape):
    d = CATALOGUE[name]()
    event = EVENT.get(name, ())
    assert d.batch_shape == (2, 3) and d.event_shape == event
    x = d.sample(sample_shape)
    assert x.shape == sample_shape + (2, 3) + event
    assert not x.requires_grad
    lp = d.log_prob(x)
    assert lp.shape == sample_shape + (2, 3)
    assert np.all(np.isfinite(lp.numpy()))


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_expand_broadcasts_the_batch_shape(name):
    d = CATALOGUE[name]().expand((5, 2, 3))
    event = EVENT.get(name, ())
    assert d.batch_shape == (5, 2, 3)
    assert d.sample().shape == (5, 2, 3) + event
    assert d.log_prob(d.sample()).shape == (5, 2, 3)


def test_float32_parameters_give_float32_samples_and_log_probs():
    for d in (D.Normal(0.0, 1.0), D.Gamma(2.0, 1.0), D.Bernoulli(0.3),
              D.Categorical(logits=autograd.zeros(3)), D.Dirichlet(autograd.ones(3))):
        x = d.sample((4,))
        if x.dtype.kind == "f":
            assert x.dtype == autograd.float32, type(d).__name__
        assert d.log_prob(x).dtype == autograd.float32, type(d).__name__


# ---------------------------------------------------------------------- gradients
LOG_PROB_CASES = {
    "Normal": (lambda m, s: D.Normal(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, -0.2]),
    "LogNormal": (lambda m, s: D.LogNormal(m, s), [[0.3, -1.0], [1.2, 0.7]], [1.5, 0.4]),
    "Laplace": (lambda m, s: D.Laplace(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, -0.2]),
    "Exponential": (lambda r: D.Exponential(r), [[0.5, 2.0]], [0.7, 1.3]),
    "Gamma": (lambda a, b: D.Gamma(a, b), [[0.7, 3.0], [1.5, 0.4]], [0.8, 2.1]),
    "Beta": (lambda a, b: D.Beta(a, b), [[0.7, 3.0], [1.5, 0.4]], [0.3, 0.6]),
    "Poisson": (lambda r: D.Poisson(r), [[0.5, 4.0]], [0.0, 3.0]),
    "Binomial": (lambda p: D.Binomial(6, p), [[0.3, 0.8]], [2.0, 5.0]),
    "Bernoulli_logits": (lambda lg: D.Bernoulli(logits=lg), [[-2.0, 0.5]], [0.0, 1.0]),
    "Bernoulli_probs": (lambda p: D.Bernoulli(probs=p), [[0.2, 0.9]], [0.0, 1.0]),
    "Categorical_probs": (lambda p: D.Categorical(probs=p), [[[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]],
                          [2, 0]),
    "Categorical_logits": (lambda lg: D.Categorical(logits=lg),
                           [[[0.2, -0.5, 1.3], [0.1, 2.0, -0.8]]], [1, 0]),
    "Dirichlet": (lambda a: D.Dirichlet(a), [[[0.7, 2.0, 1.3], [3.0, 1.1, 0.5]]],
                  [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]),
    "MultivariateNormal_scale_tril": (
        lambda m, L: D.MultivariateNormal(m, scale_tril=L.tril()),
        [[0.2, -0.4], [[1.2, 0.0], [0.3, 0.8]]], [[0.5, 0.1], [-1.0, 2.0]]),
    "MultivariateNormal_covariance": (
        lambda m, c: D.MultivariateNormal(m, covariance_matrix=(c + c.mT) / 2),
        [[0.2, -0.4], [[1.2, 0.3], [0.3, 0.8]]], [[0.5, 0.1], [-1.0, 2.0]]),
    "MultivariateNormal_precision": (
        lambda m, p: D.MultivariateNormal(m, precision_matrix=(p + p.mT) / 2),
        [[0.2, -0.4], [[1.2, 0.3], [0.3, 0.8]]], [[0.5, 0.1], [-1.0, 2.0]]),
}


@pytest.mark.parametrize("name", sorted(LOG_PROB_CASES))
def test_log_prob_gradients_match_finite_differences(name):
    make, params, value = LOG_PROB_CASES[name]
    params = [t(p, requires_grad=True) for p in params]
    v = autograd.tensor(value) if name.startswith("Categorical") else t(value)

    def fn(*ps):
        return make(*ps).log_prob(v)
    assert autograd.gradcheck(fn, params)
    assert autograd.gradgradcheck(fn, params)


ENTROPY_CASES = ["Normal", "LogNormal", "Laplace", "Exponential", "Gamma", "Beta",
                 "Bernoulli_logits", "Bernoulli_probs", "Categorical_probs", "Categorical_logits",
                 "Dirichlet", "MultivariateNormal_scale_tril", "MultivariateNormal_covariance"]


@pytest.mark.parametrize("name", ENTROPY_CASES)
def test_entropy_gradients_match_finite_differences(name):
    make, params, _ = LOG_PROB_CASES[name]
    params = [t(p, requires_grad=True) for p in params]
    assert autograd.gradcheck(lambda *ps: make(*ps).entropy(), params)


RSAMPLE_CASES = {
    "Normal": (lambda m, s: D.Normal(m, s), [[0.3, -1.0], [1.2, 0.7]]),
    "LogNormal": (lambda m, s: D.LogNormal(m, s), [[0.3, -1.0], [1.2, 0.7]]),
    "Laplace": (lambda m, s: D.Laplace(m, s), [[0.3, -1.0], [1.2, 0.7]]),
    "Exponential": (lambda r: D.Exponential(r), [[0.5, 2.0]]),
    "Uniform": (lambda lo, hi: D.Uniform(lo, hi), [[0.3, -1.0], [1.2, 0.7]]),
    "MultivariateNormal": (lambda m, L: D.MultivariateNormal(m, scale_tril=L.tril()),
                           [[0.2, -0.4], [[1.2, 0.0], [0.3, 0.8]]]),
    "Independent": (lambda m, s: D.Independent(D.Normal(m, s), 1), [[0.3, -1.0], [1.2, 0.7]]),
}


@pytest.mark.parametrize("name", sorted(RSAMPLE_CASES))
def test_rsample_is_differentiable_in_the_parameters(name):
    make, params = RSAMPLE_CASES[name]
    params = [t(p, requires_grad=True) for p in params]

    def fn(*ps):
        autograd.manual_seed(7)  # the same noise on every evaluation
        return make(*ps).rsample((3,))
    assert make(*params).has_rsample
    assert autograd.gradcheck(fn, params)
    assert autograd.gradgradcheck(fn, params)


def test_normal_rsample_gradient_is_the_noise_itself():
    loc, scale = t(1.0, True), t(2.0, True)
    autograd.manual_seed(3)
    x = D.Normal(loc, scale).rsample((4,))
    x.sum().backward()
    eps = (x.detach().numpy() - 1.0) / 2.0
    assert loc.grad.item() == pytest.approx(4.0)
    assert scale.grad.item() == pytest.approx(eps.sum())


def test_distributions_without_reparameterisation_refuse_rsample():
    for d in (D.Bernoulli(0.5), D.Categorical(logits=autograd.zeros(3)), D.Poisson(2.0),
              D.Geometric(0.5), D.NegativeBinomial(2.0, probs=0.5)):
        assert not d.has_rsample
        with pytest.raises(NotImplementedError):
            d.rsample()


# ---------------------------------------------------------------------- closed forms
def _lgamma(x):
    return np.vectorize(math.lgamma)(x)


def test_log_probs_equal_closed_form_references():
    x = np.array([0.3, 1.7, 4.0])
    cases = [
        (D.Exponential(t(1.5)).log_prob(t(x)), math.log(1.5) - 1.5 * x),
        (D.Laplace(t(0.5), t(2.0)).log_prob(t(x)), -math.log(4.0) - np.abs(x - 0.5) / 2.0),
        (D.Uniform(t(0.0), t(5.0)).log_prob(t(x)), np.full(3, -math.log(5.0))),
        (D.LogNormal(t(0.2), t(0.7)).log_prob(t(x)),
         -(np.log(x) - 0.2) ** 2 / (2 * 0.49) - math.log(0.7) - 0.5 * math.log(2 * math.pi)
         - np.log(x)),
        (D.Gamma(t(2.5), t(1.5)).log_prob(t(x)),
         2.5 * math.log(1.5) + 1.5 * np.log(x) - 1.5 * x - math.lgamma(2.5)),
        (D.Poisson(t(2.5)).log_prob(t([0.0, 1.0, 4.0])),
         np.array([0.0, 1.0, 4.0]) * math.log(2.5) - 2.5 - _lgamma([1.0, 2.0, 5.0])),
        (D.Binomial(5, t(0.3)).log_prob(t([0.0, 2.0, 5.0])),
         np.log([math.comb(5, k) * 0.3 ** k * 0.7 ** (5 - k) for k in (0, 2, 5)])),
        (D.Bernoulli(t(0.3)).log_prob(t([0.0, 1.0])), np.log([0.7, 0.3])),
        (D.Categorical(probs=t([1.0, 3.0])).log_prob(autograd.tensor([1, 0])),
         np.log([0.75, 0.25])),
        (D.Dirichlet(t([2.0, 3.0, 1.5])).log_prob(t([0.2, 0.5, 0.3])),
         math.lgamma(6.5) - math.lgamma(2) - math.lgamma(3) - math.lgamma(1.5)
         + math.log(0.2) + 2 * math.log(0.5) + 0.5 * math.log(0.3)),
    ]
    for ours, ref in cases:
        np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-12, atol=1e-12)


def test_multivariate_normal_log_prob_and_entropy_match_the_dense_formula():
    cov = _spd(3)
    loc = np.array([0.5, -1.0, 2.0])
    x = np.array([[0.1, 0.2, 0.3], [1.0, -2.0, 0.5]])
    d = D.MultivariateNormal(t(loc), covariance_matrix=t(cov))
    diff = x - loc
    maha = np.einsum("bi,ij,bj->b", diff, np.linalg.inv(cov), diff)
    logdet = np.linalg.slogdet(cov)[1]
    np.testing.assert_allclose(d.log_prob(t(x)).numpy(),
                               -0.5 * (3 * math.log(2 * math.pi) + maha + logdet), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().item(),
                               0.5 * (3 * (1 + math.log(2 * math.pi)) + logdet), rtol=1e-12)
    np.testing.assert_allclose(d.covariance_matrix.numpy(), cov, atol=1e-14)
    np.testing.assert_allclose(d.precision_matrix.numpy(), np.linalg.inv(cov), atol=1e-12)
    p = D.MultivariateNormal(t(loc), precision_matrix=t(np.linalg.inv(cov)))
    np.testing.assert_allclose(p.covariance_matrix.numpy(), cov, atol=1e-12)


def test_entropies_equal_closed_forms():
    np.testing.assert_allclose(D.Normal(0.0, t(2.0)).entropy().item(),
                               0.5 + 0.5 * math.log(2 * math.pi) + math.log(2.0), rtol=1e-14)
    np.testing.assert_allclose(D.Categorical(probs=t([0.2, 0.8])).entropy().item(),
                               -(0.2 * math.log(0.2) + 0.8 * math.log(0.8)), rtol=1e-14)
    np.testing.assert_allclose(D.Bernoulli(t(0.2)).entropy().item(),
                               -(0.2 * math.log(0.2) + 0.8 * math.log(0.8)), rtol=1e-14)
    np.testing.assert_allclose(D.Uniform(t(1.0), t(4.0)).entropy().item(), math.log(3.0))
    p = np.array([math.comb(4, k) * 0.3 ** k * 0.7 ** (4 - k) for k in range(5)])
    np.testing.assert_allclose(D.Binomial(4, t(0.3)).entropy().item(), -(p * np.log(p)).sum(),
                               rtol=1e-12)


def test_categorical_entropy_is_finite_with_a_zero_probability():
    d = D.Categorical(probs=t([0.0, 0.5, 0.5]))
    assert d.entropy().item() == pytest.approx(math.log(2.0))


def test_bernoulli_log_prob_is_exact_at_extreme_logits():
    d = D.Bernoulli(logits=t([-50.0, 50.0, 800.0]))
    lp = d.log_prob(t([1.0, 0.0, 1.0])).numpy()
    np.testing.assert_allclose(lp, [-50.0 - math.log1p(math.exp(-50.0)),
                                    -50.0 - math.log1p(math.exp(-50.0)), 0.0], rtol=1e-15)


def test_cdf_and_icdf_invert_each_other():
    q = t([0.1, 0.5, 0.93])
    for d in (D.Uniform(t(-1.0), t(3.0)), D.Exponential(t(0.7)), D.Laplace(t(0.5), t(2.0)),
              D.Normal(t(0.5), t(2.0)), D.LogNormal(t(0.1), t(0.5))):
        np.testing.assert_allclose(d.cdf(d.icdf(q)).numpy(), q.numpy(), rtol=1e-12)
    x = t([-1.0, 0.0, 2.0])
    cdf = D.Normal(t(0.0), t(2.0)).cdf(x).numpy()
    np.testing.assert_allclose(cdf, [0.5 * (1 + math.erf(v / (2 * math.sqrt(2))))
                                     for v in (-1.0, 0.0, 2.0)], rtol=1e-14)


def test_kl_divergences_equal_closed_forms():
    kl = D.kl_divergence(D.Normal(t(0.5), t(1.5)), D.Normal(t(-1.0), t(0.7))).item()
    assert kl == pytest.approx(math.log(0.7 / 1.5) + (1.5 ** 2 + 1.5 ** 2) / (2 * 0.49) - 0.5)
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
    kl = D.kl_divergence(D.Categorical(probs=t(p)), D.Categorical(probs=t(q))).item()
    assert kl == pytest.approx((p * np.log(p / q)).sum(), rel=1e-12)
    kl = D.kl_divergence(D.Bernoulli(t(0.3)), D.Bernoulli(t(0.6))).item()
    assert kl == pytest.approx(0.3 * math.log(0.3 / 0.6) + 0.7 * math.log(0.7 / 0.4), rel=1e-12)
    kl = D.kl_divergence(D.Uniform(t(0.0), t(1.0)), D.Uniform(t(-1.0), t(3.0))).item()
    assert kl == pytest.approx(math.log(4.0))
    assert D.kl_divergence(D.Uniform(t(0.0), t(1.0)), D.Uniform(t(0.5), t(3.0))).item() == math.inf


def test_kl_of_multivariate_normals_matches_the_dense_formula():
    c1, c2 = _spd(3), np.diag([2.0, 0.5, 1.0])
    m1, m2 = np.array([0.1, 0.2, 0.3]), np.array([-1.0, 0.0, 1.0])
    ours = D.kl_divergence(D.MultivariateNormal(t(m1), t(c1)),
                           D.MultivariateNormal(t(m2), t(c2))).item()
    inv2 = np.linalg.inv(c2)
    ref = 0.5 * (np.trace(inv2 @ c1) + (m2 - m1) @ inv2 @ (m2 - m1) - 3
                 + np.linalg.slogdet(c2)[1] - np.linalg.slogdet(c1)[1])
    assert ours == pytest.approx(ref, rel=1e-12)


def test_kl_of_a_distribution_with_itself_is_zero():
    for d in (CATALOGUE[n]() for n in ("Normal", "Gamma", "Beta", "Dirichlet", "Bernoulli",
                                        "Categorical", "MultivariateNormal", "Independent",
                                        "Exponential", "Laplace", "Poisson", "LogNormal",
                                        "OneHotCategorical", "Uniform")):
        np.testing.assert_allclose(D.kl_divergence(d, d).numpy(), 0.0, atol=1e-12)


def test_kl_matches_a_monte_carlo_estimate():
    autograd.manual_seed(0)
    for p, q in ((D.Gamma(t(2.0), t(1.5)), D.Gamma(t(3.0), t(1.0))),
                 (D.Beta(t(2.0), t(3.0)), D.Beta(t(1.5), t(1.5))),
                 (D.Dirichlet(t([1.0, 2.0, 3.0])), D.Dirichlet(t([2.0, 2.0, 2.0])))):
        x = p.sample((200000,))
        log_ratio = (p.log_prob(x) - q.log_prob(x)).numpy()
        standard_error = log_ratio.std() / np.sqrt(log_ratio.size)
        assert abs(D.kl_divergence(p, q).item() - log_ratio.mean()) < 5 * standard_error


def test_kl_of_an_unregistered_pair_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="Normal.*Gamma"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Gamma(1.0, 1.0))


def test_register_kl_picks_the_most_specific_registration():
    class MyNormal(D.Normal):
        pass

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 0.0

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return autograd.tensor(42.0)
    try:
        assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
        assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0
    finally:
        from autograd.distributions import kl
        del kl._KL_REGISTRY[MyNormal, D.Normal]


# ---------------------------------------------------------------------- sample moments
MOMENTS = {
    "Normal": D.Normal(t(1.0), t(2.0)),
    "LogNormal": D.LogNormal(t(0.1), t(0.4)),
    "Uniform": D.Uniform(t(-1.0), t(3.0)),
    "Exponential": D.Exponential(t(1.5)),
    "Laplace": D.Laplace(t(0.5), t(1.2)),
    "Gamma": D.Gamma(t(2.5), t(1.5)),
    "Gamma_small_shape": D.Gamma(t(0.3), t(1.0)),
    "Beta": D.Beta(t(2.0), t(5.0)),
    "Poisson": D.Poisson(t(3.5)),
    "Binomial": D.Binomial(12, t(0.3)),
    "Bernoulli": D.Bernoulli(t(0.3)),
    "OneHotCategorical": D.OneHotCategorical(t([0.2, 0.3, 0.5])),
    "Dirichlet": D.Dirichlet(t([1.0, 2.0, 3.0])),
    "MultivariateNormal": D.MultivariateNormal(t([1.0, -1.0, 0.0]), t(_spd(3))),
}


@pytest.mark.parametrize("name", sorted(MOMENTS))
def test_sample_mean_and_variance_match_the_distribution(name):
    autograd.manual_seed(1)
    d = MOMENTS[name]
    x = d.sample((100000,)).numpy()
    mean, var = d.mean.detach().numpy(), d.variance.detach().numpy()
    tol = 5 * np.sqrt(var / x.shape[0]) + 1e-3  # ~5 standard errors of the mean
    assert np.all(np.abs(x.mean(0) - mean) <= tol), (x.mean(0), mean)
    np.testing.assert_allclose(x.var(0), var, rtol=0.05, atol=1e-3)


def test_categorical_sample_frequencies_match_probs():
    autograd.manual_seed(2)
    x = D.Categorical(probs=t([[0.1, 0.6, 0.3], [0.5, 0.0, 0.5]])).sample((60000,)).numpy()
    assert x.dtype == np.int64
    np.testing.assert_allclose((x[:, 0, None] == np.arange(3)).mean(0), [0.1, 0.6, 0.3],
                               atol=0.01)
    assert not (x[:, 1] == 1).any()


def test_multivariate_normal_sample_covariance_matches():
    autograd.manual_seed(3)
    x = D.MultivariateNormal(t(np.zeros(3)), scale_tril=t(np.linalg.cholesky(_spd(3)))) \
        .sample((100000,)).numpy()
    np.testing.assert_allclose(np.cov(x.T), _spd(3), atol=0.03)


# ---------------------------------------------------------------------- reproducibility
def test_manual_seed_makes_sampling_reproducible():
    def draw():
        autograd.manual_seed(123)
        return [d.sample((3,)).numpy() for d in MOMENTS.values()]
    for a, b in zip(draw(), draw()):
        np.testing.assert_array_equal(a, b)
    autograd.manual_seed(124)
    assert not np.array_equal(D.Normal(0.0, 1.0).sample((3,)).numpy(), draw()[0])


# ---------------------------------------------------------------------- validation
def test_invalid_parameters_raise_value_error_naming_the_constraint():
    with pytest.raises(ValueError, match=r"Expected parameter scale .*GreaterThan"):
        D.Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="parameter probs .*Interval"):
        D.Bernoulli(probs=1.5)
    with pytest.raises(ValueError, match="parameter probs .*Simplex"):
        D.Categorical(probs=autograd.tensor([0.5, -0.2]))
    with pytest.raises(ValueError, match="covariance_matrix .*PositiveDefinite"):
        D.MultivariateNormal(autograd.zeros(2), autograd.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="scale_tril .*LowerCholesky"):
        D.MultivariateNormal(autograd.zeros(2), scale_tril=autograd.tensor([[1.0, 1.0],
                                                                            [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"parameter low .*LessThan\(upper_bound=0.0\)"):
        D.Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        D.Bernoulli(probs=0.5, logits=0.0)
    with pytest.raises(ValueError, match="at least one-dimensional"):
        D.Categorical(probs=autograd.tensor(0.3))
    with pytest.raises(ValueError, match="Exactly one of"):
        D.MultivariateNormal(autograd.zeros(2))


def test_values_outside_the_support_raise_value_error():
    with pytest.raises(ValueError, match=r"within the support \(Boolean\(\)\)"):
        D.Bernoulli(0.5).log_prob(autograd.tensor(0.5))
    with pytest.raises(ValueError, match="GreaterThan"):
        D.LogNormal(0.0, 1.0).log_prob(autograd.tensor(-1.0))
    with pytest.raises(ValueError, match="IntegerInterval"):
        D.Categorical(logits=autograd.zeros(3)).log_prob(autograd.tensor(3))
    with pytest.raises(ValueError, match="Simplex"):
        D.Dirichlet(autograd.ones(3)).log_prob(autograd.tensor([0.5, 0.6, 0.1]))
    with pytest.raises(ValueError, match="must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(0.5)
    with pytest.raises(ValueError, match="not broadcastable"):
        D.Normal(autograd.zeros(3), 1.0).log_prob(autograd.zeros(2))
    with pytest.raises(ValueError, match="right-most size of value must match event_shape"):
        D.Dirichlet(autograd.ones(3)).log_prob(autograd.ones(2) / 2)


def test_validation_can_be_turned_off_per_instance_and_globally():
    d = D.Uniform(0.0, 1.0, validate_args=False)
    assert d.log_prob(autograd.tensor(2.0)).item() == -math.inf
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Normal(0.0, -1.0).scale.item() == -1.0
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)


def test_constraints_check_elementwise():
    assert constraints.positive.check(autograd.tensor([1.0, 0.0])).tolist() == [True, False]
    assert constraints.simplex.check(autograd.tensor([[0.5, 0.5], [0.5, 0.6]])).tolist() == \
        [True, False]
    assert constraints.integer_interval(0, 2).check(autograd.tensor([0.0, 1.5, 2.0, 3.0])) \
        .tolist() == [True, False, True, False]
    assert repr(constraints.interval(0.0, 1.0)) == "Interval(lower_bound=0.0, upper_bound=1.0)"
    assert constraints.independent(constraints.real, 1).event_dim == 1


def test_repr_names_the_parameters():
    assert repr(D.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(D.Categorical(probs=autograd.ones(2, 3))) == "Categorical(probs: (2, 3))"


def test_lazy_probs_and_logits_agree():
    d = D.Categorical(logits=t([0.1, 1.0, -2.0]))
    p = np.exp([0.1, 1.0, -2.0]) / np.exp([0.1, 1.0, -2.0]).sum()
    np.testing.assert_allclose(d.probs.numpy(), p, rtol=1e-14)
    b = D.Bernoulli(probs=t(0.25))
    assert b.logits.item() == pytest.approx(math.log(0.25 / 0.75))


# ---------------------------------------------------------------------- special functions
def test_lgamma_digamma_trigamma_are_accurate_over_a_wide_range():
    x = np.concatenate([np.geomspace(1e-6, 1e5, 300), -np.linspace(0.05, 9.95, 100) + 1e-3])
    ours = autograd.lgamma(t(x)).numpy()
    ref = np.array([math.lgamma(v) for v in x])
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-13)
    # digamma against the derivative of math.lgamma (Richardson-extrapolated differences)
    xs = np.linspace(0.3, 30.0, 50)
    h = 1e-4
    d1 = (np.vectorize(math.lgamma)(xs + h) - np.vectorize(math.lgamma)(xs - h)) / (2 * h)
    d2 = (np.vectorize(math.lgamma)(xs + 2 * h) - np.vectorize(math.lgamma)(xs - 2 * h)) / (4 * h)
    np.testing.assert_allclose(autograd.digamma(t(xs)).numpy(), (4 * d1 - d2) / 3, atol=1e-9)
    # known values: psi(1) = -gamma, psi(1/2) = -gamma - 2 log 2, psi_1(1) = pi^2 / 6
    euler = 0.57721566490153286
    np.testing.assert_allclose(autograd.digamma(t([1.0, 0.5])).numpy(),
                               [-euler, -euler - 2 * math.log(2)], rtol=1e-14)
    assert autograd.polygamma(1, t(1.0)).item() == pytest.approx(math.pi ** 2 / 6, rel=1e-14)
    assert autograd.polygamma(2, t(1.0)).item() == pytest.approx(-2 * 1.2020569031595942,
                                                                 rel=1e-13)


def test_special_functions_at_poles():
    assert autograd.lgamma(t([0.0, -1.0])).tolist() == [math.inf, math.inf]
    assert autograd.digamma(t(0.0)).item() == -math.inf
    assert math.isnan(autograd.digamma(t(-2.0)).item())


def test_distributions_define_no_ops_of_their_own():
    # (their special functions and matrix ops are autograd's, covered by the op registry)
    import autograd.distributions as pkg
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        own = [n for n, o in vars(module).items() if inspect.isclass(o) and issubclass(o, Op)
               and o.__module__ == module.__name__]
        assert not own, f"{module.__name__} defines ops outside autograd.ops: {own}"



# ---------------------------------------------------------------------- in use
def test_reinforce_learns_the_better_arm_of_a_two_armed_bandit():
    autograd.manual_seed(0)
    rng = np.random.default_rng(0)
    logits = autograd.zeros(2, requires_grad=True)
    means = np.array([0.2, 0.8])
    baseline = 0.0
    for _ in range(150):
        dist = D.Categorical(logits=logits)
        actions = dist.sample((16,))
        rewards = autograd.tensor(rng.normal(means[actions.numpy()], 0.1).astype(np.float32))
        loss = -(dist.log_prob(actions) * (rewards - baseline)).mean()
        baseline = 0.9 * baseline + 0.1 * float(rewards.mean())
        logits.grad = None
        loss.backward()
        with autograd.no_grad():
            logits -= 0.5 * logits.grad
    probs = D.Categorical(logits=logits).probs.detach().numpy()
    assert probs[1] > 0.9, probs


def test_gaussian_policy_gradient_moves_the_mean_toward_reward():
    autograd.manual_seed(0)
    mu = autograd.tensor([0.0], requires_grad=True)
    log_std = autograd.tensor([0.0], requires_grad=True)
    for _ in range(200):
        dist = D.Normal(mu, log_std.exp())
        a = dist.sample((32,))
        reward = -((a - 2.0) ** 2)
        loss = -(dist.log_prob(a).sum(-1) * (reward.sum(-1) - reward.mean())).mean()
        mu.grad = log_std.grad = None
        loss.backward()
        with autograd.no_grad():
            mu -= 0.02 * mu.grad
            log_std -= 0.02 * log_std.grad
    assert abs(mu.item() - 2.0) < 0.3


def test_vae_style_reparameterised_kl_and_reconstruction_backpropagate():
    autograd.manual_seed(0)
    mu = autograd.tensor([[0.5, -0.3]], requires_grad=True)
    log_var = autograd.tensor([[0.1, -0.2]], requires_grad=True)
    q = D.Normal(mu, (0.5 * log_var).exp())
    z = q.rsample()
    kl = D.kl_divergence(q, D.Normal(autograd.zeros_like(mu), autograd.ones_like(mu))).sum()
    loss = kl + (z ** 2).sum()
    loss.backward()
    assert mu.grad is not None and log_var.grad is not None
    assert np.all(np.isfinite(mu.grad.numpy()))


def test_torch_distributions_is_reachable_from_the_package():
    assert autograd.distributions is D
    assert autograd.distributions.Normal is D.Normal
