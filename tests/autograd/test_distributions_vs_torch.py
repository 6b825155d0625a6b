"""autograd.distributions against torch.distributions on the same parameters and values, in
float64: log_prob, entropy, mean, mode, variance, stddev, cdf, icdf and KL values, and the
gradients of each with respect to the parameters (skipped when torch is not installed)."""
import numpy as np
import pytest

import autograd
from autograd import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

# NOTE: torch's trigamma (polygamma(1, .)) is only accurate to ~1e-9 relative (ours to ~1e-15,
# checked against pi^2/6 in test_distributions.py), so gradients of quantities built on digamma
# are compared more loosely.
TIGHT, LOOSE = 1e-10, 1e-8


def _ours(a, rg=True):
    return autograd.tensor(np.asarray(a, np.float64), requires_grad=rg)


def _theirs(a, rg=True):
    return torch.tensor(np.asarray(a, np.float64), requires_grad=rg)


# name -> (build(lib, *params), params, value, statistics, integer value?, gradient tolerance)
_STATS = ("mean", "variance", "stddev")
CASES = {
    "Normal": (lambda L, m, s: L.Normal(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, -2.0],
               _STATS + ("mode", "entropy", "cdf", "icdf"), False, TIGHT),
    "LogNormal": (lambda L, m, s: L.LogNormal(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, 2.0],
                  _STATS + ("mode", "entropy", "cdf", "icdf"), False, TIGHT),
    "Uniform": (lambda L, lo, hi: L.Uniform(lo, hi), [[0.3, -1.0], [1.2, 0.7]], [0.5, 0.1],
                _STATS + ("entropy", "cdf", "icdf"), False, TIGHT),
    "Exponential": (lambda L, r: L.Exponential(r), [[0.5, 2.0]], [0.3, 1.4],
                    _STATS + ("mode", "entropy", "cdf", "icdf"), False, TIGHT),
    "Laplace": (lambda L, m, s: L.Laplace(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, -2.0],
                _STATS + ("mode", "entropy", "cdf", "icdf"), False, TIGHT),
    "Gamma": (lambda L, a, b: L.Gamma(a, b), [[0.7, 3.0], [1.5, 0.4]], [0.8, 2.1],
              _STATS + ("mode", "entropy"), False, LOOSE),
    "Beta": (lambda L, a, b: L.Beta(a, b), [[0.7, 3.0], [1.5, 0.4]], [0.3, 0.6],
             _STATS + ("mode", "entropy"), False, LOOSE),
    "Dirichlet": (lambda L, a: L.Dirichlet(a), [[[0.7, 2.0, 1.3], [3.0, 1.1, 0.5]]],
                  [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], _STATS + ("mode", "entropy"), False,
                  LOOSE),
    "Poisson": (lambda L, r: L.Poisson(r), [[0.5, 4.0]], [0.0, 3.0], _STATS + ("mode",),
                False, TIGHT),
    "Binomial_probs": (lambda L, p: L.Binomial(6, probs=p), [[0.3, 0.8]], [2.0, 5.0],
                       _STATS + ("mode", "entropy"), False, TIGHT),
    "Binomial_logits": (lambda L, lg: L.Binomial(6, logits=lg), [[-0.3, 1.8]], [2.0, 5.0],
                        _STATS + ("entropy",), False, TIGHT),
    "Bernoulli_probs": (lambda L, p: L.Bernoulli(probs=p), [[0.2, 0.9]], [0.0, 1.0],
                        _STATS + ("mode", "entropy"), False, TIGHT),
    "Bernoulli_logits": (lambda L, lg: L.Bernoulli(logits=lg), [[-2.0, 30.0]], [0.0, 1.0],
                         _STATS + ("entropy",), False, TIGHT),
    "Categorical_probs": (lambda L, p: L.Categorical(probs=p), [[[0.2, 0.5, 0.3],
                                                               [0.1, 0.1, 0.8]]],
                          [2, 0], ("mode", "entropy"), True, TIGHT),
    "Categorical_logits": (lambda L, lg: L.Categorical(logits=lg),
                           [[[0.2, -0.5, 1.3], [0.1, 2.0, -0.8]]], [1, 0], ("mode", "entropy"),
                           True, TIGHT),
    "OneHotCategorical": (lambda L, lg: L.OneHotCategorical(logits=lg),
                          [[[0.2, -0.5, 1.3], [0.1, 2.0, -0.8]]],
                          [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], _STATS + ("mode", "entropy"),
                          False, TIGHT),
    "MultivariateNormal_scale_tril": (
        lambda L, m, s: L.MultivariateNormal(m, scale_tril=s.tril()),
        [[[0.2, -0.4], [1.0, 0.5]], [[1.2, 0.0], [0.3, 0.8]]], [[0.5, 0.1], [-1.0, 2.0]],
        _STATS + ("mode", "entropy", "covariance_matrix", "precision_matrix"), False, TIGHT),
    "MultivariateNormal_covariance": (
        lambda L, m, c: L.MultivariateNormal(m, covariance_matrix=(c + c.mT) / 2),
        [[0.2, -0.4], [[1.2, 0.3], [0.3, 0.8]]], [[0.5, 0.1], [-1.0, 2.0]],
        _STATS + ("entropy", "scale_tril", "precision_matrix"), False, TIGHT),
    "MultivariateNormal_precision": (
        lambda L, m, p: L.MultivariateNormal(m, precision_matrix=(p + p.mT) / 2),
        [[0.2, -0.4], [[1.2, 0.3], [0.3, 0.8]]], [[0.5, 0.1], [-1.0, 2.0]],
        _STATS + ("entropy", "scale_tril", "covariance_matrix"), False, TIGHT),
    "Independent": (lambda L, m, s: L.Independent(L.Normal(m, s), 1),
                    [[[0.3, -1.0], [0.1, 0.2]], [[1.2, 0.7], [0.4, 2.0]]],
                    [[0.5, -2.0], [0.0, 1.0]], _STATS + ("mode", "entropy"), False, TIGHT),
}


def _quantity(dist, what, value, lib):
    if what == "log_prob":
        return dist.log_prob(value)
    if what == "cdf":
        return dist.cdf(value)
    if what == "icdf":
        q = np.array([0.15, 0.7])
        return dist.icdf(_ours(q) if lib == "ours" else _theirs(q))
    if what == "entropy":
        return dist.entropy()
    return getattr(dist, what)


def _compare(name, what):
    build, params, value, _, integer, gtol = CASES[name]
    po = [_ours(p) for p in params]
    pt = [_theirs(p) for p in params]
    if integer:
        vo, vt = autograd.tensor(np.array(value)), torch.tensor(np.array(value))
    else:
        vo, vt = _ours(value, False), _theirs(value, False)
    qo = _quantity(build(D, *po), what, vo, "ours")
    qt = _quantity(build(TD, *pt), what, vt, "theirs")
    assert tuple(qo.shape) == tuple(qt.shape), what
    np.testing.assert_allclose(qo.detach().numpy(), qt.detach().numpy(), rtol=1e-10,
                               atol=1e-10, err_msg=f"{name}.{what}")
    if not qt.requires_grad:
        return
    if not qo.requires_grad:  # piecewise constant here (a floor): torch's gradient is zero
        gt = torch.autograd.grad(qt.sum(), pt, allow_unused=True)
        assert all(g is None or not g.any() for g in gt), f"{name}.{what}"
        return
    w = np.random.default_rng(0).uniform(0.5, 1.5, tuple(qt.shape))
    go = autograd.grad((qo * _ours(w, False)).sum(), po, allow_unused=True)
    gt = torch.autograd.grad((qt * _theirs(w, False)).sum(), pt, allow_unused=True)
    for k, (a, b) in enumerate(zip(go, gt)):
        if b is None:
            assert a is None or np.all(a.numpy() == 0), f"{name}.{what}: param {k}"
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=gtol, atol=gtol,
                                   err_msg=f"{name}.{what}: gradient of param {k}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_its_gradients_match_torch(name):
    _compare(name, "log_prob")


@pytest.mark.parametrize("name,what", [(n, w) for n in sorted(CASES) for w in CASES[n][3]])
def test_statistics_and_their_gradients_match_torch(name, what):
    _compare(name, what)


# ---------------------------------------------------------------------- KL
KL_CASES = {
    "Normal": (lambda L, a, b, c, d: (L.Normal(a, b), L.Normal(c, d)),
               [[0.3, -1.0], [1.2, 0.7], [0.0, 0.5], [0.8, 2.0]], TIGHT),
    "LogNormal": (lambda L, a, b, c, d: (L.LogNormal(a, b), L.LogNormal(c, d)),
                  [[0.3, -1.0], [1.2, 0.7], [0.0, 0.5], [0.8, 2.0]], TIGHT),
    "Bernoulli": (lambda L, a, b: (L.Bernoulli(probs=a), L.Bernoulli(logits=b)),
                  [[0.3, 0.9], [-1.0, 2.0]], TIGHT),
    "Categorical": (lambda L, a, b: (L.Categorical(probs=a), L.Categorical(logits=b)),
                    [[[0.2, 0.5, 0.3]], [[1.0, -0.5, 0.2]]], TIGHT),
    "OneHotCategorical": (lambda L, a, b: (L.OneHotCategorical(probs=a),
                                           L.OneHotCategorical(logits=b)),
                          [[[0.2, 0.5, 0.3]], [[1.0, -0.5, 0.2]]], TIGHT),
    "Uniform": (lambda L, a, b, c, d: (L.Uniform(a, b), L.Uniform(c, d)),
                [[0.3, -1.0], [1.2, 0.7], [0.0, -2.0], [1.5, 2.0]], TIGHT),
    "Exponential": (lambda L, a, b: (L.Exponential(a), L.Exponential(b)),
                    [[0.5, 2.0], [1.5, 0.3]], TIGHT),
    "Laplace": (lambda L, a, b, c, d: (L.Laplace(a, b), L.Laplace(c, d)),
                [[0.3, -1.0], [1.2, 0.7], [0.0, 0.5], [0.8, 2.0]], TIGHT),
    "Poisson": (lambda L, a, b: (L.Poisson(a), L.Poisson(b)), [[0.5, 2.0], [1.5, 0.3]], TIGHT),
    "Gamma": (lambda L, a, b, c, d: (L.Gamma(a, b), L.Gamma(c, d)),
              [[0.7, 3.0], [1.5, 0.4], [2.0, 1.0], [0.5, 1.3]], LOOSE),
    "Beta": (lambda L, a, b, c, d: (L.Beta(a, b), L.Beta(c, d)),
             [[0.7, 3.0], [1.5, 0.4], [2.0, 1.0], [0.5, 1.3]], LOOSE),
    "Dirichlet": (lambda L, a, b: (L.Dirichlet(a), L.Dirichlet(b)),
                  [[[0.7, 2.0, 1.3]], [[3.0, 1.1, 0.5]]], LOOSE),
    "MultivariateNormal": (
        lambda L, m1, s1, m2, s2: (L.MultivariateNormal(m1, scale_tril=s1.tril()),
                                   L.MultivariateNormal(m2, covariance_matrix=(s2 + s2.mT) / 2)),
        [[0.2, -0.4], [[1.2, 0.0], [0.3, 0.8]], [[1.0, 0.0], [0.5, -0.5]],
         [[1.5, 0.2], [0.2, 0.9]]], TIGHT),
    "Independent": (lambda L, a, b, c, d: (L.Independent(L.Normal(a, b), 1),
                                           L.Independent(L.Normal(c, d), 1)),
                    [[[0.3, -1.0]], [[1.2, 0.7]], [[0.0, 0.5]], [[0.8, 2.0]]], TIGHT),
}


@pytest.mark.parametrize("name", sorted(KL_CASES))
def test_kl_divergence_and_its_gradients_match_torch(name):
    build, params, gtol = KL_CASES[name]
    po = [_ours(p) for p in params]
    pt = [_theirs(p) for p in params]
    ko = D.kl_divergence(*build(D, *po))
    kt = TD.kl_divergence(*build(TD, *pt))
    np.testing.assert_allclose(ko.detach().numpy(), kt.detach().numpy(), rtol=1e-10, atol=1e-10)
    finite = np.isfinite(kt.detach().numpy())
    w = _theirs(finite.astype(np.float64), False)
    go = autograd.grad(autograd.where(autograd.tensor(finite), ko, 0.0).mul(
        _ours(finite.astype(np.float64), False)).sum(), po, allow_unused=True)
    gt = torch.autograd.grad(torch.where(torch.tensor(finite), kt, 0.0).mul(w).sum(), pt,
                             allow_unused=True)
    for k, (a, b) in enumerate(zip(go, gt)):
        if b is None:
            assert a is None or np.all(a.numpy() == 0)
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=gtol, atol=gtol,
                                   err_msg=f"KL {name}: gradient of param {k}")


def test_validation_errors_match_torch_types_and_messages():
    for build in (lambda L: L.Normal(0.0, -1.0), lambda L: L.Bernoulli(probs=1.5),
                  lambda L: L.Uniform(1.0, 0.0),
                  lambda L: L.Categorical(probs=(autograd if L is D else torch).tensor(0.3))):
        with pytest.raises(ValueError) as theirs:
            build(TD)
        with pytest.raises(ValueError) as ours:
            build(D)
        first = str(theirs.value).split("(")[0]
        assert str(ours.value).startswith(first)


def test_kl_of_unregistered_pairs_raises_like_torch():
    with pytest.raises(NotImplementedError):
        TD.kl_divergence(TD.Dirichlet(torch.ones(2)), TD.Normal(0.0, 1.0))
    with pytest.raises(NotImplementedError):
        D.kl_divergence(D.Dirichlet(autograd.ones(2)), D.Normal(0.0, 1.0))


def test_supports_and_constraints_print_as_in_torch():
    pairs = [(lambda L: L.Normal(0.0, 1.0).support),
             (lambda L: L.Categorical(logits=(autograd if L is D else torch).zeros(3)).support),
             (lambda L: L.Dirichlet((autograd if L is D else torch).ones(3)).support),
             (lambda L: L.Bernoulli(0.5).support), (lambda L: L.Poisson(1.0).support),
             (lambda L: L.Beta(1.0, 1.0).support), (lambda L: L.Exponential(1.0).support),
             (lambda L: L.Gamma(1.0, 1.0).support), (lambda L: L.LogNormal(0.0, 1.0).support)]
    for get in pairs:
        assert repr(get(D)) == repr(get(TD))


def test_erfinv_matches_torch_into_the_tails():
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), 1 - np.geomspace(1e-16, 0.1, 50),
                        -1 + np.geomspace(1e-16, 0.1, 50)])
    np.testing.assert_allclose(autograd.erfinv(_ours(y, False)).numpy(),
                               torch.erfinv(_theirs(y, False)).numpy(), rtol=1e-13, atol=1e-13)
