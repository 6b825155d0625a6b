"""autograd.distributions.transforms and TransformedDistribution against torch in float64:
forward, inverse, log-det and their gradients, domains/codomains, biject_to/transform_to, and a
SAC-style tanh-squashed Gaussian policy (skipped when torch is not installed)."""
import numpy as np
import pytest

import autograd
from autograd import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions
T = TD.transforms


def _pair(a):
    a = np.asarray(a, np.float64)
    return (autograd.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))


def _close(ours, theirs, tol=1e-12):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=tol,
                               atol=tol)


X = np.array([[0.3, -1.2, 2.5], [0.0, 0.7, -0.4]])
POS = np.array([[0.3, 1.2, 2.5], [0.9, 0.7, 4.0]])

# name -> (build(module), x)
SCALAR = {
    "exp": (lambda M: M.ExpTransform(), X),
    "affine": (lambda M: M.AffineTransform(0.5, -2.0), X),
    "sigmoid": (lambda M: M.SigmoidTransform(), X),
    "tanh": (lambda M: M.TanhTransform(), X),
    "power": (lambda M: M.PowerTransform(2.5), POS),
    "compose": (lambda M: M.ComposeTransform([M.AffineTransform(0.1, 3.0), M.ExpTransform(),
                                              M.PowerTransform(0.5)]), X),
    "inverse_sigmoid": (lambda M: M.SigmoidTransform().inv, np.array([0.2, 0.5, 0.9])),
    "stick_breaking": (lambda M: M.StickBreakingTransform(), X),
    "independent_affine": (lambda M: M.IndependentTransform(M.AffineTransform(1.0, 3.0), 1), X),
    "affine_event_dim": (lambda M: M.AffineTransform(1.0, torch_or_ours(M, [2.0, -1.0, 0.5]),
                                                     event_dim=1), X),
    "reshape": (lambda M: M.ReshapeTransform((3,), (3, 1)), X),
    "softplus": (lambda M: M.SoftplusTransform(), X),
    "cat": (lambda M: M.CatTransform([M.ExpTransform(), M.AffineTransform(1.0, -2.0)], dim=1,
                                     lengths=[1, 2]), X),
    "cat_dim0": (lambda M: M.CatTransform([M.SigmoidTransform(), M.TanhTransform()]), X),
    "stack": (lambda M: M.StackTransform([M.ExpTransform(), M.SigmoidTransform(),
                                          M.TanhTransform()], dim=1), X),
}


def torch_or_ours(M, values):
    lib = torch if M is T else autograd
    return lib.tensor(values, dtype=lib.float64)


@pytest.mark.parametrize("name", sorted(SCALAR))
def test_forward_inverse_and_log_det_match_torch(name):
    build, x = SCALAR[name]
    ours, theirs = build(D.transforms), build(T)
    xo, xt = _pair(x)
    yo, yt = ours(xo), theirs(xt)
    _close(yo, yt)
    _close(ours.inv(yo.detach()), theirs.inv(yt.detach()), 1e-10)
    lo, lt = ours.log_abs_det_jacobian(xo, yo), theirs.log_abs_det_jacobian(xt, yt)
    assert tuple(lo.shape) == tuple(lt.shape)
    _close(lo, lt)
    (yo.sum() + lo.sum()).backward()
    (yt.sum() + lt.sum()).backward()
    _close(xo.grad, xt.grad, 1e-10)
    assert ours.bijective == theirs.bijective
    assert ours.domain.event_dim == theirs.domain.event_dim
    assert ours.codomain.event_dim == theirs.codomain.event_dim


@pytest.mark.parametrize("name", ["softmax", "lower_cholesky", "abs"])
def test_non_bijective_transforms_match_torch(name):
    build = {"softmax": lambda M: M.SoftmaxTransform(),
             "lower_cholesky": lambda M: M.LowerCholeskyTransform(),
             "abs": lambda M: M.AbsTransform()}[name]
    x = np.array([[0.3, -1.2, 2.5], [0.1, 0.7, -0.4], [1.0, 2.0, -3.0]])
    ours, theirs = build(D.transforms), build(T)
    xo, xt = _pair(x)
    yo, yt = ours(xo), theirs(xt)
    _close(yo, yt)
    _close(ours.inv(yo), theirs.inv(yt))
    assert not ours.bijective and not theirs.bijective


def test_tanh_log_det_stays_finite_where_one_minus_y_squared_underflows():
    x = autograd.tensor([-40.0, 25.0, 0.0], dtype=autograd.float64)
    got = D.TanhTransform().log_abs_det_jacobian(x, x.tanh()).numpy()
    # log(1 - tanh^2 x) = log(4) - 2|x| - 2 log(1 + exp(-2|x|)), by hand at |x| = 40, 25, 0
    expected = [np.log(4) - 80, np.log(4) - 50, 0.0]
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14)


def test_cache_size_one_returns_the_input_that_produced_the_output():
    t = D.TanhTransform(cache_size=1)
    x = autograd.tensor([30.0], dtype=autograd.float64)
    y = t(x)
    assert y.item() == 1.0  # atanh(1) would be inf
    assert t.inv(y) is x
    assert t(x) is y
    uncached = D.TanhTransform()
    assert np.isinf(uncached.inv(y).item())


def test_cat_and_stack_constraints_check_each_slice_like_torch():
    v = np.array([[0.5, -1.0, 0.2], [2.0, 0.3, -0.1]])
    for build in (lambda C: C.cat([C.positive, C.real], dim=1, lengths=[1, 2]),
                  lambda C: C.stack([C.positive, C.unit_interval, C.real], dim=1)):
        ours = build(D.constraints).check(autograd.tensor(v)).numpy()
        theirs = build(TD.constraints).check(torch.tensor(v)).numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_cache_size_other_than_zero_or_one_raises_value_error():
    with pytest.raises(ValueError, match="cache_size"):
        D.ExpTransform(cache_size=2)


def test_inverse_of_inverse_is_the_transform_and_signs_follow_torch():
    t = D.AffineTransform(0.0, -3.0)
    assert t.inv.inv is t
    assert t.sign == -1 == T.AffineTransform(0.0, -3.0).sign
    c = D.ComposeTransform([D.ExpTransform(), D.AffineTransform(1.0, -1.0)])
    assert c.sign == -1
    assert D.ExpTransform() == D.ExpTransform()


@pytest.mark.parametrize("name", ["positive", "nonnegative", "unit_interval", "simplex",
                                  "greater_than", "less_than", "interval", "real",
                                  "real_vector"])
@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_biject_to_and_transform_to_match_torch(name, registry):
    def constraint(C):
        return {"positive": C.positive, "nonnegative": C.nonnegative,
                "unit_interval": C.unit_interval, "simplex": C.simplex,
                "greater_than": C.greater_than(1.5), "less_than": C.less_than(-2.0),
                "interval": C.interval(-1.0, 3.0), "real": C.real,
                "real_vector": C.real_vector}[name]
    ours = getattr(D, registry)(constraint(D.constraints))
    theirs = getattr(TD, registry)(constraint(TD.constraints))
    xo, xt = _pair(X)
    yo, yt = ours(xo), theirs(xt)
    _close(yo, yt)
    assert constraint(D.constraints).check(yo).all().item()
    if ours.bijective:
        _close(ours.log_abs_det_jacobian(xo, yo), theirs.log_abs_det_jacobian(xt, yt))
    _close(ours.inv(yo), theirs.inv(yt), 1e-9)


@pytest.mark.parametrize("name", ["lower_cholesky", "positive_definite",
                                  "positive_semidefinite"])
def test_transform_to_matrix_constraints_matches_torch(name):
    x = np.array([[0.3, -1.2], [0.1, 0.7]])
    xo, xt = _pair(x)
    to = D.transform_to(getattr(D.constraints, name))
    tt = TD.transform_to(getattr(TD.constraints, name))
    yo, yt = to(xo), tt(xt)
    _close(yo, yt)
    assert getattr(D.constraints, name).check(yo).item()
    _close(to.inv(yo), tt.inv(yt), 1e-10)


def test_biject_to_unregistered_constraint_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="Boolean"):
        D.biject_to(D.constraints.boolean)


# ---------------------------------------------------------------------- TransformedDistribution
def _dists(M, loc, scale):
    Tm = M.transforms
    return {
        "tanh_normal": M.TransformedDistribution(M.Normal(loc, scale), [Tm.TanhTransform()]),
        "affine_exp": M.TransformedDistribution(
            M.Normal(loc, scale), [Tm.AffineTransform(0.5, -2.0), Tm.ExpTransform()]),
        "stick_breaking": M.TransformedDistribution(
            M.Normal(loc, scale), [Tm.StickBreakingTransform()]),
        "sigmoid_affine": M.TransformedDistribution(
            M.Normal(loc, scale), Tm.ComposeTransform([Tm.SigmoidTransform(),
                                                       Tm.AffineTransform(1.0, 2.0)])),
    }


VALUES = {"tanh_normal": [[0.3, -0.9, 0.5]], "affine_exp": [[0.3, 0.9, 2.5]],
          "stick_breaking": [[0.2, 0.3, 0.1, 0.4]], "sigmoid_affine": [[1.3, 2.9, 2.5]]}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_transformed_distribution_log_prob_and_shapes_match_torch(name):
    loc, scale = [0.2, -0.5, 1.0], [0.7, 1.3, 0.4]
    (lo, lt), (so, st) = _pair(loc), _pair(scale)
    do, dt = _dists(D, lo, so)[name], _dists(TD, lt, st)[name]
    assert do.batch_shape == tuple(dt.batch_shape)
    assert do.event_shape == tuple(dt.event_shape)
    vo, vt = _pair(VALUES[name])
    po, pt = do.log_prob(vo), dt.log_prob(vt)
    _close(po, pt)
    po.sum().backward()
    pt.sum().backward()
    for a, b in ((lo, lt), (so, st), (vo, vt)):
        _close(a.grad, b.grad, 1e-10)
    assert do.sample((5,)).shape == tuple(dt.sample((5,)).shape)


@pytest.mark.parametrize("name", ["tanh_normal", "affine_exp", "sigmoid_affine"])
def test_transformed_distribution_cdf_and_icdf_match_torch(name):
    loc, scale = [0.2, -0.5, 1.0], [0.7, 1.3, 0.4]
    do = _dists(D, autograd.tensor(loc, dtype=autograd.float64),
                autograd.tensor(scale, dtype=autograd.float64))[name]
    dt = _dists(TD, torch.tensor(loc, dtype=torch.float64),
                torch.tensor(scale, dtype=torch.float64))[name]
    vo, vt = _pair(VALUES[name])
    _close(do.cdf(vo), dt.cdf(vt))
    qo, qt = _pair([[0.1, 0.5, 0.8]])
    _close(do.icdf(qo), dt.icdf(qt), 1e-10)


def test_transformed_distribution_rejects_values_outside_the_support():
    d = D.TransformedDistribution(D.Normal(0.0, 1.0), [D.ExpTransform()])
    with pytest.raises(ValueError, match="support"):
        d.log_prob(autograd.tensor(-1.0))
    with pytest.raises(ValueError, match="Transform"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), "exp")


def test_sac_tanh_squashed_gaussian_log_prob_of_rsample_matches_torch():
    # the same noise for both: a = tanh(mu + std * eps)
    rng = np.random.default_rng(0)
    mu, log_std, eps = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)) * 0.5, \
        rng.normal(size=(4, 2)) * 3
    eps[0, 0] = 12.0  # tanh rounds to 1: only the cache keeps log_prob finite
    (mo, mt), (so, st) = _pair(mu), _pair(log_std)
    results = []
    for lib, dists, m, s in ((autograd, D, mo, so), (torch, TD, mt, st)):
        std = s.exp()
        pi = dists.TransformedDistribution(dists.Normal(m, std),
                                           [dists.transforms.TanhTransform(cache_size=1)])
        pre = m + std * lib.tensor(eps, dtype=lib.float64)
        a = pi.transforms[0](pre)
        logp = pi.log_prob(a).sum(-1)
        (logp.sum() + a.sum()).backward()
        results.append((a, logp))
    _close(results[0][0], results[1][0])
    _close(results[0][1], results[1][1], 1e-10)
    assert np.isfinite(results[0][1].detach().numpy()).all()
    _close(mo.grad, mt.grad, 1e-9)
    _close(so.grad, st.grad, 1e-9)


def test_sac_policy_rsample_is_differentiable_and_log_prob_is_finite():
    autograd.manual_seed(0)
    mu = autograd.zeros(64, 2, dtype=autograd.float64, requires_grad=True)
    pi = D.TransformedDistribution(D.Normal(mu, 5.0), [D.TanhTransform(cache_size=1)])
    assert pi.has_rsample
    a = pi.rsample()
    logp = pi.log_prob(a)
    assert np.isfinite(logp.detach().numpy()).all()
    logp.sum().backward()
    assert mu.grad is not None and np.isfinite(mu.grad.numpy()).all()
