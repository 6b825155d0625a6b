"""The heavy-tailed, extreme-value, half, count and relaxed distributions against
torch.distributions in float64: log_prob, statistics, cdf/icdf, KL values and their gradients
in the parameters (skipped when torch is not installed)."""
import numpy as np
import pytest

import autograd
from autograd import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions

# NOTE: torch's trigamma is accurate to ~1e-9 relative only, so gradients of digamma-based
# quantities (StudentT/Chi2 entropy, Gamma-Gumbel KL) are compared at 1e-8.
TIGHT, LOOSE = 1e-10, 1e-8
_S = ("mean", "variance", "stddev", "mode")


def _ours(a, rg=True):
    return autograd.tensor(np.asarray(a, np.float64), requires_grad=rg)


def _theirs(a, rg=True):
    return torch.tensor(np.asarray(a, np.float64), requires_grad=rg)


# name -> (build(lib, *params), params, value, quantities, gradient tolerance)
CASES = {
    "Cauchy": (lambda L, m, s: L.Cauchy(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, -2.0],
               ("mode", "entropy", "cdf", "icdf"), TIGHT),
    "HalfNormal": (lambda L, s: L.HalfNormal(s), [[1.2, 0.7]], [0.5, 2.0],
                   _S + ("entropy", "cdf", "icdf"), TIGHT),
    "HalfCauchy": (lambda L, s: L.HalfCauchy(s), [[1.2, 0.7]], [0.5, 2.0],
                   ("mode", "entropy", "cdf", "icdf"), TIGHT),
    "StudentT": (lambda L, df, m, s: L.StudentT(df, m, s), [[3.5, 1.5], [0.3, -1.0], [1.2, 0.7]],
                 [0.5, -2.0], ("mean", "mode", "entropy"), LOOSE),
    "StudentT_variance": (lambda L, df, m, s: L.StudentT(df, m, s),
                          [[3.5, 2.5], [0.3, -1.0], [1.2, 0.7]], [0.5, -2.0],
                          ("variance",), TIGHT),
    "Chi2": (lambda L, df: L.Chi2(df), [[3.5, 1.5]], [0.5, 2.0], _S + ("entropy",), LOOSE),
    "Gumbel": (lambda L, m, s: L.Gumbel(m, s), [[0.3, -1.0], [1.2, 0.7]], [0.5, -2.0],
               _S + ("entropy", "cdf", "icdf"), TIGHT),
    "Weibull": (lambda L, s, k: L.Weibull(s, k), [[1.3, 0.7], [2.5, 1.4]], [0.5, 2.0],
                _S + ("entropy", "cdf", "icdf"), TIGHT),
    "Pareto": (lambda L, s, a: L.Pareto(s, a), [[1.3, 0.7], [2.5, 3.4]], [1.5, 2.0],
               _S + ("entropy", "cdf", "icdf"), TIGHT),
    "Geometric_probs": (lambda L, p: L.Geometric(probs=p), [[0.3, 0.8]], [0.0, 3.0],
                        _S + ("entropy",), TIGHT),
    "Geometric_logits": (lambda L, lg: L.Geometric(logits=lg), [[-0.3, 1.8]], [0.0, 3.0],
                         _S + ("entropy",), TIGHT),
    "NegativeBinomial": (lambda L, n, p: L.NegativeBinomial(n, probs=p), [[2.5, 4.0],
                                                                          [0.3, 0.6]],
                         [0.0, 3.0], _S, TIGHT),
    "NegativeBinomial_logits": (lambda L, n, lg: L.NegativeBinomial(n, logits=lg),
                                [[2.5, 4.0], [-0.3, 1.1]], [1.0, 3.0], _S, TIGHT),
    "Multinomial": (lambda L, p: L.Multinomial(5, probs=p), [[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]],
                    [[1.0, 3.0, 1.0], [0.0, 0.0, 5.0]], ("mean", "variance"), TIGHT),
    "RelaxedBernoulli": (lambda L, t, lg: L.RelaxedBernoulli(t, logits=lg),
                         [0.7, [-0.3, 1.8]], [0.2, 0.9], (), TIGHT),
    "RelaxedOneHotCategorical": (lambda L, t, p: L.RelaxedOneHotCategorical(t, probs=p),
                                 [0.7, [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]],
                                 [[0.1, 0.3, 0.6], [0.7, 0.2, 0.1]], (), TIGHT),
    "LogisticNormal": (lambda L, m, s: L.LogisticNormal(m, s), [[0.3, -1.0], [1.2, 0.7]],
                       [0.1, 0.3, 0.6], (), TIGHT),
}


def _quantity(dist, what, value, make):
    if what == "log_prob":
        return dist.log_prob(value)
    if what == "cdf":
        return dist.cdf(value)
    if what == "icdf":
        return dist.icdf(make([0.15, 0.7], False))
    if what == "entropy":
        return dist.entropy()
    return getattr(dist, what)


def _grads_match(qo, qt, po, pt, tol, label):
    finite = np.isfinite(qt.detach().numpy())
    w = np.where(finite, np.random.default_rng(0).uniform(0.5, 1.5, finite.shape), 0.0)
    so = autograd.where(autograd.tensor(finite), qo, 0.0) * _ours(w, False)
    st = torch.where(torch.tensor(finite), qt, 0.0) * _theirs(w, False)
    go = autograd.grad(so.sum(), po, allow_unused=True)
    gt = torch.autograd.grad(st.sum(), pt, allow_unused=True)
    for k, (a, b) in enumerate(zip(go, gt)):
        if b is None or not b.any():
            assert a is None or np.all(a.numpy() == 0), f"{label}: param {k}"
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"{label}: gradient of param {k}")


def _compare(name, what):
    build, params, value, _, gtol = CASES[name]
    po, pt = [_ours(p) for p in params], [_theirs(p) for p in params]
    qo = _quantity(build(D, *po), what, _ours(value, False), _ours)
    qt = _quantity(build(TD, *pt), what, _theirs(value, False), _theirs)
    assert tuple(qo.shape) == tuple(qt.shape), what
    np.testing.assert_allclose(qo.detach().numpy(), qt.detach().numpy(), rtol=1e-10,
                               atol=1e-10, err_msg=f"{name}.{what}")
    if qt.requires_grad and qo.requires_grad:
        _grads_match(qo, qt, po, pt, gtol, f"{name}.{what}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_its_gradients_match_torch(name):
    _compare(name, "log_prob")


@pytest.mark.parametrize("name,what", [(n, w) for n in sorted(CASES) for w in CASES[n][3]])
def test_statistics_and_their_gradients_match_torch(name, what):
    _compare(name, what)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_and_support_match_torch(name):
    build, params, value, _, _ = CASES[name]
    do = build(D, *[_ours(p, False) for p in params])
    dt = build(TD, *[_theirs(p, False) for p in params])
    assert do.batch_shape == tuple(dt.batch_shape)
    assert do.event_shape == tuple(dt.event_shape)
    assert do.has_rsample == dt.has_rsample
    assert tuple(do.sample((3,)).shape) == tuple(dt.sample((3,)).shape)
    assert type(do.support).__name__ == type(dt.support).__name__
    if do.has_rsample:
        assert tuple(do.rsample((2,)).shape) == tuple(dt.rsample((2,)).shape)


def test_mean_and_variance_that_do_not_exist_match_torch():
    for build in (lambda L, M: M.Cauchy(L.tensor([0.0], dtype=L.float64), 1.0),
                  lambda L, M: M.HalfCauchy(L.tensor([1.0], dtype=L.float64)),
                  lambda L, M: M.StudentT(L.tensor([0.5, 1.5, 2.5], dtype=L.float64))):
        do, dt = build(autograd, D), build(torch, TD)
        for what in ("mean", "variance"):
            np.testing.assert_array_equal(getattr(do, what).numpy(), getattr(dt, what).numpy())


# ---------------------------------------------------------------------- KL
def _f(L, *vals):
    return [L.tensor(v, dtype=L.float64) for v in vals]


KL_DISTS = {
    "Cauchy": lambda L, a, b: L.Cauchy(a, b),
    "Gumbel": lambda L, a, b: L.Gumbel(a, b),
    "HalfNormal": lambda L, a, b: L.HalfNormal(b),
    "Pareto": lambda L, a, b: L.Pareto(a.abs() + 0.5, b + 2.0),
    "Pareto_heavy": lambda L, a, b: L.Pareto(a.abs() + 0.2, b * 0.6),
    "Geometric": lambda L, a, b: L.Geometric(logits=a),
    "Exponential": lambda L, a, b: L.Exponential(b),
    "Gamma": lambda L, a, b: L.Gamma(b, a.abs() + 0.3),
    "Normal": lambda L, a, b: L.Normal(a, b),
    "Uniform": lambda L, a, b: L.Uniform(a.abs() + 0.1, a.abs() + 0.1 + b),
    "Beta": lambda L, a, b: L.Beta(b, a.abs() + 0.3),
    "Laplace": lambda L, a, b: L.Laplace(a, b),
    "LogisticNormal": lambda L, a, b: L.LogisticNormal(a, b),
}
KL_PAIRS = [("Cauchy", "Cauchy"), ("Gumbel", "Gumbel"), ("HalfNormal", "HalfNormal"),
            ("Pareto", "Pareto"), ("Pareto", "Pareto_heavy"), ("Geometric", "Geometric"),
            ("Exponential", "Gumbel"), ("Gamma", "Gumbel"), ("Gumbel", "Normal"),
            ("Normal", "Gumbel"), ("Pareto", "Exponential"), ("Pareto_heavy", "Exponential"),
            ("Pareto", "Gamma"), ("Pareto_heavy", "Gamma"), ("Pareto", "Normal"),
            ("Uniform", "Gumbel"), ("Uniform", "Pareto"), ("Uniform", "Pareto_heavy"),
            ("Beta", "Pareto"), ("Exponential", "Pareto"), ("Gamma", "Pareto"),
            ("Laplace", "Pareto"), ("Normal", "Pareto"), ("Gumbel", "Beta"),
            ("Gumbel", "Exponential"), ("Gumbel", "Gamma"), ("Gumbel", "Pareto"),
            ("Gumbel", "Uniform"), ("Pareto", "Beta"), ("Pareto", "Uniform"),
            ("LogisticNormal", "LogisticNormal")]


@pytest.mark.parametrize("p,q", KL_PAIRS)
def test_kl_divergence_and_its_gradients_match_torch(p, q):
    params = [[0.3, -1.2, 0.8], [1.2, 0.7, 2.1], [0.9, 0.4, -0.3], [0.5, 1.6, 1.1]]
    po, pt = [_ours(v) for v in params], [_theirs(v) for v in params]
    ko = D.kl_divergence(KL_DISTS[p](D, *po[:2]), KL_DISTS[q](D, *po[2:]))
    kt = TD.kl_divergence(KL_DISTS[p](TD, *pt[:2]), KL_DISTS[q](TD, *pt[2:]))
    assert tuple(ko.shape) == tuple(kt.shape)
    np.testing.assert_allclose(ko.detach().numpy(), kt.detach().numpy(), rtol=1e-10, atol=1e-10)
    if kt.requires_grad and np.isfinite(kt.detach().numpy()).any():
        _grads_match(ko, kt, po, pt, LOOSE, f"KL({p} || {q})")


def test_kl_between_transformed_distributions_with_different_transforms_raises():
    p = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform()])
    q = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.SigmoidTransform()])
    with pytest.raises(NotImplementedError, match="transforms"):
        D.kl_divergence(p, q)


# ---------------------------------------------------------------------- sampling
MOMENTS = {
    "HalfNormal": lambda: D.HalfNormal(1.5),
    "Gumbel": lambda: D.Gumbel(0.5, 2.0),
    "Weibull": lambda: D.Weibull(1.5, 2.5),
    "Pareto": lambda: D.Pareto(1.0, 5.0),
    "StudentT": lambda: D.StudentT(6.0, 1.0, 2.0),
    "Chi2": lambda: D.Chi2(3.0),
    "Geometric": lambda: D.Geometric(probs=0.3),
    "NegativeBinomial": lambda: D.NegativeBinomial(3.0, probs=0.4),
    "Multinomial": lambda: D.Multinomial(7, probs=autograd.tensor([0.2, 0.3, 0.5])),
    "ContinuousBernoulli": lambda: D.ContinuousBernoulli(probs=autograd.tensor([0.2, 0.5001])),
    "LowRankMultivariateNormal": lambda: D.LowRankMultivariateNormal(
        autograd.tensor([0.5, -1.0]), autograd.tensor([[1.0], [0.5]]), autograd.tensor([0.3, 2.0])),
}


@pytest.mark.parametrize("name", sorted(MOMENTS))
def test_sample_moments_match_the_closed_forms(name):
    autograd.manual_seed(0)
    d = MOMENTS[name]()
    x = d.sample((40000,)).numpy().astype(np.float64)
    mean, var = d.mean.numpy(), d.variance.numpy()
    se = np.sqrt(var / x.shape[0])
    assert np.all(np.abs(x.mean(0) - mean) < 5 * se), (x.mean(0), mean)
    assert np.all(np.abs(x.var(0) - var) < 0.1 * var), (x.var(0), var)


def test_cauchy_samples_have_the_right_quartiles():
    autograd.manual_seed(0)
    x = D.Cauchy(1.0, 2.0).sample((40000,)).numpy()
    np.testing.assert_allclose(np.quantile(x, [0.25, 0.5, 0.75]), [-1.0, 1.0, 3.0], atol=0.1)


def test_relaxed_one_hot_rsample_is_on_the_simplex_and_sharpens_as_temperature_drops():
    autograd.manual_seed(0)
    logits = autograd.tensor([0.5, -0.2, 1.0], requires_grad=True)
    hot = D.RelaxedOneHotCategorical(autograd.tensor(0.05), logits=logits).rsample((2000,))
    np.testing.assert_allclose(hot.detach().numpy().sum(-1), 1.0, rtol=1e-5)
    assert hot.detach().numpy().max(-1).mean() > 0.95
    # the argmax follows Categorical(logits): the Gumbel-max trick
    freq = np.bincount(hot.detach().numpy().argmax(-1), minlength=3) / 2000
    p = np.exp([0.5, -0.2, 1.0]) / np.exp([0.5, -0.2, 1.0]).sum()
    np.testing.assert_allclose(freq, p, atol=0.04)
    hot[:, 0].sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0


def test_relaxed_bernoulli_mean_matches_probs_at_low_temperature():
    autograd.manual_seed(0)
    x = D.RelaxedBernoulli(autograd.tensor(0.01), probs=autograd.tensor(0.3)).sample((20000,))
    assert abs(float(x.numpy().mean()) - 0.3) < 0.02


def test_invalid_parameters_raise_value_error_like_torch():
    for build in (lambda L: L.Cauchy(0.0, -1.0), lambda L: L.Pareto(-1.0, 1.0),
                  lambda L: L.Gumbel(0.0, 0.0), lambda L: L.StudentT(-1.0),
                  lambda L: L.Geometric(probs=0.0), lambda L: L.HalfNormal(-2.0),
                  lambda L: L.NegativeBinomial(-1.0, probs=0.5)):
        with pytest.raises(ValueError):
            build(TD)
        with pytest.raises(ValueError):
            build(D)


# ---------------------------------------------------------------------- MixtureSameFamily
def _mixtures(M, logits, loc, scale):
    return {"scalar": M.MixtureSameFamily(M.Categorical(logits=logits), M.Normal(loc, scale)),
            "vector": M.MixtureSameFamily(M.Categorical(logits=logits[0]),
                                          M.Independent(M.Normal(loc.mT, scale.mT), 1))}


@pytest.mark.parametrize("kind", ["scalar", "vector"])
def test_mixture_same_family_matches_torch(kind):
    params = [[[0.2, -0.3, 1.0], [0.5, 0.1, 0.0]], [[0.0, 1.0, -2.0], [1.0, 2.0, 3.0]],
              [[1.0, 0.5, 2.0], [0.3, 0.4, 0.5]]]
    po, pt = [_ours(p) for p in params], [_theirs(p) for p in params]
    do, dt = _mixtures(D, *po)[kind], _mixtures(TD, *pt)[kind]
    assert do.batch_shape == tuple(dt.batch_shape)
    assert do.event_shape == tuple(dt.event_shape)
    assert tuple(do.sample((4,)).shape) == tuple(dt.sample((4,)).shape)
    value = [[0.3, 1.2]]
    for what in ("log_prob", "mean", "variance") + (("cdf",) if kind == "scalar" else ()):
        do, dt = _mixtures(D, *po)[kind], _mixtures(TD, *pt)[kind]
        qo = _quantity(do, what, _ours(value, False), _ours)
        qt = _quantity(dt, what, _theirs(value, False), _theirs)
        np.testing.assert_allclose(qo.detach().numpy(), qt.detach().numpy(), rtol=1e-12,
                                   atol=1e-12, err_msg=what)
        _grads_match(qo, qt, po, pt, TIGHT, f"mixture {kind} {what}")


def test_mixture_same_family_samples_follow_the_mixture():
    autograd.manual_seed(0)
    mix = D.MixtureSameFamily(D.Categorical(probs=autograd.tensor([0.25, 0.75])),
                              D.Normal(autograd.tensor([-5.0, 5.0]), autograd.tensor([0.5, 0.5])))
    x = mix.sample((20000,)).numpy()
    assert abs((x > 0).mean() - 0.75) < 0.02
    assert abs(x.mean() - float(mix.mean)) < 0.1


def test_mixture_same_family_rejects_mismatched_components():
    with pytest.raises(ValueError, match="does not equal"):
        D.MixtureSameFamily(D.Categorical(logits=autograd.zeros(3)),
                            D.Normal(autograd.zeros(2), 1.0))
    with pytest.raises(ValueError, match="Categorical"):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(autograd.zeros(2), 1.0))


# ---------------------------------------------------------------------- LowRankMultivariateNormal
_RNG = np.random.default_rng(3)
LR = [_RNG.normal(size=(2, 3)), _RNG.normal(size=(3, 2)), _RNG.uniform(0.5, 2.0, (2, 3))]


@pytest.mark.parametrize("what", ["log_prob", "mean", "mode", "variance", "entropy",
                                  "covariance_matrix", "precision_matrix", "scale_tril"])
def test_low_rank_multivariate_normal_matches_torch(what):
    po, pt = [_ours(p) for p in LR], [_theirs(p) for p in LR]
    do, dt = D.LowRankMultivariateNormal(*po), TD.LowRankMultivariateNormal(*pt)
    assert do.batch_shape == tuple(dt.batch_shape) and do.event_shape == tuple(dt.event_shape)
    value = _RNG.normal(size=(4, 1, 3))
    qo = _quantity(do, what, _ours(value, False), _ours)
    qt = _quantity(dt, what, _theirs(value, False), _theirs)
    assert tuple(qo.shape) == tuple(qt.shape)
    np.testing.assert_allclose(qo.detach().numpy(), qt.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    _grads_match(qo, qt, po, pt, TIGHT, f"LowRankMultivariateNormal.{what}")


@pytest.mark.parametrize("pair", ["lr_lr", "lr_full", "full_lr"])
def test_low_rank_kl_pairs_match_torch(pair):
    full = [[0.3, -0.2, 0.5], [[1.0, 0.0, 0.0], [0.4, 1.3, 0.0], [-0.2, 0.1, 0.7]]]
    # NOTE: unbatched: torch's own KL(LowRank || MultivariateNormal) fails to broadcast a
    # batched p against an unbatched q (an expand error inside torch)
    params = [LR[0][0], LR[1], LR[2][0]] + full
    po, pt = [_ours(p) for p in params], [_theirs(p) for p in params]

    def build(M, ps):
        lr = M.LowRankMultivariateNormal(*ps[:3])
        lr2 = M.LowRankMultivariateNormal(ps[0] * 0.5, ps[1].flip(-1), ps[2] + 0.3)
        mvn = M.MultivariateNormal(ps[3], scale_tril=ps[4])
        return {"lr_lr": (lr, lr2), "lr_full": (lr, mvn), "full_lr": (mvn, lr)}[pair]
    ko, kt = D.kl_divergence(*build(D, po)), TD.kl_divergence(*build(TD, pt))
    np.testing.assert_allclose(ko.detach().numpy(), kt.detach().numpy(), rtol=1e-11)
    _grads_match(ko, kt, po, pt, 1e-9, f"KL {pair}")


def test_low_rank_multivariate_normal_sample_covariance():
    autograd.manual_seed(0)
    d = D.LowRankMultivariateNormal(autograd.tensor(LR[0][0]), autograd.tensor(LR[1]),
                                    autograd.tensor(LR[2][0]))
    n = 40000
    x = d.sample((n,)).numpy()
    cov = d.covariance_matrix.numpy()
    # the sample covariance's standard error for Gaussian data, entry by entry
    standard_error = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov ** 2) / n)
    assert np.all(np.abs(np.cov(x.T) - cov) < 5 * standard_error)


def test_low_rank_multivariate_normal_rejects_bad_shapes():
    with pytest.raises(ValueError, match="cov_factor"):
        D.LowRankMultivariateNormal(autograd.zeros(3), autograd.ones(2, 1), autograd.ones(3))
    with pytest.raises(ValueError, match="cov_diag"):
        D.LowRankMultivariateNormal(autograd.zeros(3), autograd.ones(3, 1), autograd.ones(2))


# ---------------------------------------------------------------------- ContinuousBernoulli
CB_PARAMS = {"probs": [0.2, 0.4995, 0.9, 0.03], "logits": [-1.0, 0.001, 2.0, -6.0]}


@pytest.mark.parametrize("param", sorted(CB_PARAMS))
@pytest.mark.parametrize("what", ["log_prob", "mean", "variance", "stddev", "entropy", "cdf",
                                  "icdf"])
def test_continuous_bernoulli_matches_torch(param, what):
    # icdf is evaluated at the same four points as cdf (one per batch entry)
    po, pt = _ours(CB_PARAMS[param]), _theirs(CB_PARAMS[param])
    do = D.ContinuousBernoulli(**{param: po})
    dt = TD.ContinuousBernoulli(**{param: pt})
    value = [0.3, 0.6, 0.95, 0.1]
    if what == "icdf":
        qo, qt = do.icdf(_ours(value, False)), dt.icdf(_theirs(value, False))
    else:
        qo = _quantity(do, what, _ours(value, False), _ours)
        qt = _quantity(dt, what, _theirs(value, False), _theirs)
    np.testing.assert_allclose(qo.detach().numpy(), qt.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    _grads_match(qo, qt, [po], [pt], 1e-9, f"ContinuousBernoulli.{what}")


@pytest.mark.parametrize("other", ["ContinuousBernoulli", "Beta", "Exponential", "Normal",
                                   "Uniform", "Uniform_inside", "Pareto", "Gumbel", "Laplace",
                                   "Gamma"])
def test_continuous_bernoulli_kl_pairs_match_torch(other):
    def build(M, lib):
        f = lambda v: lib.tensor(v, dtype=lib.float64)  # noqa: E731
        cb = M.ContinuousBernoulli(probs=f([0.2, 0.7]))
        dists = {"ContinuousBernoulli": M.ContinuousBernoulli(logits=f([0.5, -1.0])),
                 "Beta": M.Beta(f([0.5, 2.0]), f([1.5, 0.7])),
                 "Exponential": M.Exponential(f([0.5, 2.0])),
                 "Normal": M.Normal(f([0.5, 2.0]), f([1.5, 0.7])),
                 "Uniform": M.Uniform(f([-0.5, 0.0]), f([1.5, 2.0])),
                 "Uniform_inside": M.Uniform(f([0.1, 0.2]), f([0.5, 0.9])),
                 "Pareto": M.Pareto(f([0.5, 2.0]), f([1.5, 0.7])),
                 "Gumbel": M.Gumbel(f([0.5, 2.0]), f([1.5, 0.7])),
                 "Laplace": M.Laplace(f([0.5, 2.0]), f([1.5, 0.7])),
                 "Gamma": M.Gamma(f([0.5, 2.0]), f([1.5, 0.7]))}
        return cb, dists[other]
    (cbo, oo), (cbt, ot) = build(D, autograd), build(TD, torch)
    for pair_o, pair_t in (((cbo, oo), (cbt, ot)), ((oo, cbo), (ot, cbt))):
        try:
            kt = TD.kl_divergence(*pair_t)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                D.kl_divergence(*pair_o)
            continue
        ko = D.kl_divergence(*pair_o)
        np.testing.assert_allclose(ko.detach().numpy(), kt.detach().numpy(), rtol=1e-11)
