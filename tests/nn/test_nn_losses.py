"""Losses: values against NumPy references for every reduction, gradients against finite
differences, numerics at extreme inputs, and the errors bad inputs raise."""
import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
N, C = 4, 5


def _t(a, requires_grad=False):
    return autograd.tensor(np.asarray(a), requires_grad=requires_grad)


def _log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _softplus(x):
    return np.logaddexp(0, x)


def _reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


# ---------------------------------------------------------------------- elementwise losses
X = RNG.standard_normal((N, 3))
Y = RNG.standard_normal((N, 3))
P = RNG.uniform(0.05, 0.95, (N, 3))
B = (RNG.random((N, 3)) < 0.5).astype(float)
PM = np.where(RNG.random((N, 3)) < 0.5, -1.0, 1.0)
POS = RNG.uniform(0.5, 3.0, (N, 3))

# name, call(input, target, reduction), input array, target array, NumPy elementwise reference
ELEMENTWISE = [
    ("mse", lambda x, y, r: F.mse_loss(x, y, reduction=r), X, Y, lambda x, y: (x - y) ** 2),
    ("l1", lambda x, y, r: F.l1_loss(x, y, reduction=r), X, Y, lambda x, y: np.abs(x - y)),
    ("huber", lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.8), X, Y,
     lambda x, y: np.where(np.abs(x - y) < 0.8, 0.5 * (x - y) ** 2,
                           0.8 * (np.abs(x - y) - 0.4))),
    ("smooth_l1", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), X, Y,
     lambda x, y: np.where(np.abs(x - y) < 0.5, 0.5 * (x - y) ** 2 / 0.5,
                           np.abs(x - y) - 0.25)),
    ("bce", lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r), P, B,
     lambda x, y: -(y * np.log(x) + (1 - y) * np.log(1 - x))),
    ("bce_weighted", lambda x, y, r: F.binary_cross_entropy(
        x, y, weight=_t(np.array([0.5, 1.0, 2.0])).double(), reduction=r), P, B,
     lambda x, y: -np.array([0.5, 1.0, 2.0]) * (y * np.log(x) + (1 - y) * np.log(1 - x))),
    ("bce_logits", lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r), X, B,
     lambda x, y: -(y * np.log(1 / (1 + np.exp(-x))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-x))))),
    ("bce_logits_pos_weight", lambda x, y, r: F.binary_cross_entropy_with_logits(
        x, y, pos_weight=_t(np.array([1.0, 2.0, 3.0])).double(), reduction=r), X, P,
     lambda x, y: -(np.array([1.0, 2.0, 3.0]) * y * -_softplus(-x) + (1 - y) * -_softplus(x))),
    ("kl_div", lambda x, y, r: F.kl_div(x, y, reduction=r), _log_softmax(X), np.exp(
        _log_softmax(Y)), lambda x, y: y * (np.log(y) - x)),
    ("kl_div_log_target", lambda x, y, r: F.kl_div(x, y, reduction=r, log_target=True),
     _log_softmax(X), _log_softmax(Y), lambda x, y: np.exp(y) * (y - x)),
    ("poisson_nll", lambda x, y, r: F.poisson_nll_loss(x, y, reduction=r), X, POS,
     lambda x, y: np.exp(x) - y * x),
    ("poisson_nll_full", lambda x, y, r: F.poisson_nll_loss(
        x, y, log_input=False, full=True, reduction=r), POS, POS[::-1].copy(),
     lambda x, y: x - y * np.log(x + 1e-8) + np.where(
         y > 1, y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y), 0)),
    ("hinge_embedding", lambda x, y, r: F.hinge_embedding_loss(x, y, margin=0.7, reduction=r),
     X, PM, lambda x, y: np.where(y == 1, x, np.maximum(0, 0.7 - x))),
    ("soft_margin", lambda x, y, r: F.soft_margin_loss(x, y, reduction=r), X, PM,
     lambda x, y: np.log1p(np.exp(-y * x))),
    ("log_cosh", lambda x, y, r: F.log_cosh_loss(x, y, reduction=r), X, Y,
     lambda x, y: np.log(np.cosh(x - y))),
    ("quantile", lambda x, y, r: F.quantile_loss(x, y, quantile=0.8, reduction=r), X, Y,
     lambda x, y: np.maximum(0.8 * (y - x), -0.2 * (y - x))),
    ("sigmoid_focal", lambda x, y, r: F.sigmoid_focal_loss(x, y, reduction=r), X, B,
     lambda x, y: _focal_ref(x, y)),
]


def _focal_ref(x, y, alpha=0.25, gamma=2.0):
    p = 1 / (1 + np.exp(-x))
    ce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    p_t = p * y + (1 - p) * (1 - y)
    return (alpha * y + (1 - alpha) * (1 - y)) * ce * (1 - p_t) ** gamma


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,call,x,y,ref", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_loss_matches_numpy(name, call, x, y, ref, reduction):
    out = call(_t(x).double(), _t(y).double(), reduction)
    np.testing.assert_allclose(out.numpy(), _reduce(ref(x, y), reduction), rtol=1e-9,
                               atol=1e-12)


@pytest.mark.parametrize("name,call,x,y,ref", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_loss_gradients_match_finite_differences(name, call, x, y, ref):
    xt = _t(x, requires_grad=True).double().detach().requires_grad_()
    yt = _t(y).double()
    assert gradcheck(lambda a: call(a, yt, "mean"), (xt,))
    assert gradcheck(lambda a: call(a, yt, "none"), (xt,))


@pytest.mark.parametrize("name,call,x,y,ref", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_loss_is_finite_at_extreme_inputs(name, call, x, y, ref):
    if name.startswith("bce") and "logits" not in name:
        extreme = np.array([[0.0, 1.0, 1e-30], [1 - 1e-7, 0.5, 1e-45]])
    elif name.startswith(("kl_div", "poisson_nll")):
        extreme = np.array([[-80.0, -1e3, 30.0], [1e-30, 2.0, -20.0]])
        if name == "poisson_nll_full":
            extreme = np.abs(extreme) + 1e-30
    else:
        extreme = np.array([[1e3, -1e3, 1e4], [-1e4, 1e-30, 0.5]])
    target = y[:2]
    xt = autograd.tensor(extreme.astype(np.float32), requires_grad=True)
    loss = call(xt, _t(target.astype(np.float32)), "mean")
    assert loss.dtype == np.float32 and np.isfinite(loss.item())
    loss.backward()
    assert xt.grad.dtype == np.float32 and np.all(np.isfinite(xt.grad.numpy()))


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits, F.huber_loss,
                                F.smooth_l1_loss, F.kl_div])
def test_loss_shape_mismatch_names_both_shapes(fn):
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\)"):
        fn(autograd.rand(4, 1) * 0.5, autograd.rand(4))


def test_bce_rejects_probabilities_outside_unit_interval():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(autograd.tensor([1.5]), autograd.tensor([1.0]))


def test_bce_clamps_log_at_minus_100_like_pytorch():
    loss = F.binary_cross_entropy(autograd.tensor([0.0, 1.0]), autograd.tensor([1.0, 0.0]),
                                  reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0])


def test_bce_with_logits_is_exact_for_huge_logits():
    x = autograd.tensor([1e4, -1e4, 1e3], requires_grad=True)
    y = autograd.tensor([0.0, 1.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1e4, 1e4, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0, 0.0])


def test_nan_target_is_reported_under_detect_anomaly():
    x = autograd.randn(3, requires_grad=True)
    y = autograd.tensor([0.0, float("nan"), 1.0])
    F.mse_loss(x, y)  # silently nan without anomaly mode, as PyTorch
    with autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="mse_loss: the target contains nan"):
            F.mse_loss(x, y)
        with pytest.raises(RuntimeError, match="binary_cross_entropy_with_logits.*inf"):
            F.binary_cross_entropy_with_logits(x, autograd.tensor([0.0, float("inf"), 1.0]))


# ---------------------------------------------------------------------- cross-entropy
LOGITS = RNG.standard_normal((N, C))
TARGET = np.array([0, 3, 1, 4])
WEIGHT = RNG.uniform(0.2, 2.0, C)


def _ce_ref(x, t, weight=None, ignore_index=-100, smoothing=0.0, reduction="mean"):
    logp = _log_softmax(x)
    w = np.ones(x.shape[1]) if weight is None else weight
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    nll = -logp[np.arange(len(t)), ts] * w[ts] * valid
    smooth = -(logp * w).sum(1) * valid
    loss = (1 - smoothing) * nll + smoothing / x.shape[1] * smooth
    if reduction == "mean":
        return loss.sum() / (w[ts] * valid).sum()
    return _reduce(loss, reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, WEIGHT], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_indices_matches_numpy(reduction, weight, smoothing):
    t = TARGET.copy()
    t[2] = -100
    w = None if weight is None else _t(weight).double()
    out = F.cross_entropy(_t(LOGITS).double(), _t(t), weight=w, label_smoothing=smoothing,
                          reduction=reduction)
    np.testing.assert_allclose(out.numpy(), _ce_ref(LOGITS, t, weight, -100, smoothing,
                                                    reduction), rtol=1e-10)
    x = _t(LOGITS).double().requires_grad_()
    fn = lambda a: F.cross_entropy(a, _t(t), weight=w, label_smoothing=smoothing,  # noqa: E731
                                   reduction=reduction)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_cross_entropy_is_one_fused_node():
    x = autograd.randn(N, C, requires_grad=True)
    loss = F.cross_entropy(x, _t(TARGET))
    assert loss.grad_fn._next[0] is x and loss.grad_fn.name() == "CrossEntropyBackward"


def test_cross_entropy_over_spatial_dims_matches_moving_the_class_axis():
    x = RNG.standard_normal((2, 3, 4, 2))
    t = RNG.integers(0, 3, (2, 4, 2))
    flat_x = np.moveaxis(x, 1, -1).reshape(-1, 3)
    for reduction in ("mean", "sum"):
        out = F.cross_entropy(_t(x).double(), _t(t), reduction=reduction)
        np.testing.assert_allclose(out.numpy(), _ce_ref(flat_x, t.reshape(-1),
                                                        reduction=reduction), rtol=1e-10)
    none = F.cross_entropy(_t(x).double(), _t(t), reduction="none")
    assert none.shape == (2, 4, 2)
    xt = _t(x).double().requires_grad_()
    assert gradcheck(lambda a: F.cross_entropy(a, _t(t)), (xt,))


def test_cross_entropy_with_probability_targets_matches_numpy():
    probs = np.exp(_log_softmax(RNG.standard_normal((N, C))))
    for smoothing in (0.0, 0.1):
        q = probs * (1 - smoothing) + smoothing / C
        expected = -(q * WEIGHT * _log_softmax(LOGITS)).sum(1).mean()
        out = F.cross_entropy(_t(LOGITS).double(), _t(probs).double(), weight=_t(WEIGHT),
                              label_smoothing=smoothing)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10)
    xt = _t(LOGITS).double().requires_grad_()
    assert gradcheck(lambda a: F.cross_entropy(a, _t(probs).double()), (xt,))


def test_cross_entropy_unbatched_input():
    out = F.cross_entropy(_t(LOGITS[0]).double(), _t(np.array(2)))
    np.testing.assert_allclose(out.numpy(), -_log_softmax(LOGITS[:1])[0, 2], rtol=1e-12)


@pytest.mark.parametrize("scale", [1e3, 1e4])
def test_cross_entropy_is_finite_for_huge_logits(scale):
    x = autograd.tensor(np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -3.0]], np.float32) * scale,
                        requires_grad=True)
    t = autograd.tensor([1, 1])
    loss = F.cross_entropy(x, t, label_smoothing=0.1)
    assert loss.dtype == np.float32 and np.isfinite(loss.item())
    loss.backward()
    assert x.grad.dtype == np.float32 and np.all(np.isfinite(x.grad.numpy()))
    # first row: the target is 2*scale below the max, so its loss is ~2*scale
    plain = F.cross_entropy(x, t, reduction="none").detach().numpy()
    np.testing.assert_allclose(plain, [2 * scale, 0.0], rtol=1e-6, atol=1e-6)


def test_cross_entropy_target_out_of_range_names_class_and_count():
    with pytest.raises(IndexError, match="target class 7 is out of bounds: the input has 5 "
                                         "classes"):
        F.cross_entropy(autograd.randn(2, 5), autograd.tensor([1, 7]))
    with pytest.raises(IndexError, match="target class -2"):
        F.cross_entropy(autograd.randn(2, 5), autograd.tensor([-2, 1]))
    with pytest.raises(ValueError, match=r"target of shape \(3,\) does not match input of "
                                         r"shape \(2, 5\)"):
        F.cross_entropy(autograd.randn(2, 5), autograd.tensor([1, 2, 3]))


def test_nll_loss_matches_numpy_and_composes_with_log_softmax():
    logp = _log_softmax(LOGITS)
    t = TARGET.copy()
    t[1] = 2
    for reduction in ("mean", "sum", "none"):
        out = F.nll_loss(_t(logp).double(), _t(t), weight=_t(WEIGHT), reduction=reduction)
        loss = -logp[np.arange(N), t] * WEIGHT[t]
        expected = loss.sum() / WEIGHT[t].sum() if reduction == "mean" else \
            _reduce(loss, reduction)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    x = _t(LOGITS).double().requires_grad_()
    via_nll = lambda a: F.nll_loss(F.log_softmax(a, 1), _t(t))  # noqa: E731
    assert gradcheck(via_nll, (x,))
    np.testing.assert_allclose(via_nll(x).detach().numpy(),
                               F.cross_entropy(x, _t(t)).detach().numpy(), rtol=1e-12)


def test_cross_entropy_module_with_options():
    loss_fn = nn.CrossEntropyLoss(weight=_t(WEIGHT).double(), ignore_index=3,
                                  label_smoothing=0.1)
    assert "weight" in dict(loss_fn.named_buffers())
    out = loss_fn(_t(LOGITS).double(), _t(TARGET))
    np.testing.assert_allclose(out.numpy(), _ce_ref(LOGITS, TARGET, WEIGHT, 3, 0.1),
                               rtol=1e-10)


# ---------------------------------------------------------------------- structured losses
def test_multi_margin_loss_matches_numpy():
    x = LOGITS
    for p in (1, 2):
        expected = []
        for i in range(N):
            m = np.maximum(0, 1.0 - x[i, TARGET[i]] + x[i]) ** p
            m[TARGET[i]] = 0
            expected.append(m.sum() / C * WEIGHT[TARGET[i]])
        out = F.multi_margin_loss(_t(x).double(), _t(TARGET), p=p, weight=_t(WEIGHT))
        np.testing.assert_allclose(out.numpy(), np.mean(expected), rtol=1e-10)
    xt = _t(x).double().requires_grad_()
    assert gradcheck(lambda a: F.multi_margin_loss(a, _t(TARGET), p=2), (xt,))


def test_margin_ranking_cosine_embedding_triplet_contrastive_match_numpy():
    a, b, c = (RNG.standard_normal((N, 3)) for _ in range(3))
    y = np.array([1.0, -1.0, 1.0, -1.0])
    np.testing.assert_allclose(
        F.margin_ranking_loss(_t(a[:, 0]).double(), _t(b[:, 0]).double(), _t(y), 0.3).numpy(),
        np.maximum(0, -y * (a[:, 0] - b[:, 0]) + 0.3).mean(), rtol=1e-12)
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    np.testing.assert_allclose(
        F.cosine_embedding_loss(_t(a).double(), _t(b).double(), _t(y), 0.1).numpy(),
        np.where(y == 1, 1 - cos, np.maximum(0, cos - 0.1)).mean(), rtol=1e-10)
    d = lambda u, v: np.linalg.norm(u - v + 1e-6, axis=1)  # noqa: E731
    np.testing.assert_allclose(
        F.triplet_margin_loss(_t(a).double(), _t(b).double(), _t(c).double(), 1.0).numpy(),
        np.maximum(d(a, b) - d(a, c) + 1.0, 0).mean(), rtol=1e-10)
    np.testing.assert_allclose(
        F.triplet_margin_loss(_t(a).double(), _t(b).double(), _t(c).double(), swap=True).numpy(),
        np.maximum(d(a, b) - np.minimum(d(a, c), d(b, c)) + 1.0, 0).mean(), rtol=1e-10)
    sim = np.array([1.0, 0.0, 1.0, 0.0])
    dist = d(a, b)
    np.testing.assert_allclose(
        F.contrastive_loss(_t(a).double(), _t(b).double(), _t(sim), margin=2.0).numpy(),
        (sim * dist ** 2 + (1 - sim) * np.maximum(0, 2.0 - dist) ** 2).mean(), rtol=1e-10)
    at, bt, ct = (_t(v).double().requires_grad_() for v in (a, b, c))
    assert gradcheck(lambda u, v: F.cosine_embedding_loss(u, v, _t(y)), (at, bt))
    assert gradcheck(lambda u, v, w: F.triplet_margin_loss(u, v, w), (at, bt, ct))
    assert gradcheck(lambda u, v: F.contrastive_loss(u, v, _t(sim), margin=2.0), (at, bt))


def test_gaussian_nll_loss_matches_numpy_with_full_and_homoscedastic_var():
    x, y = RNG.standard_normal((N, 3)), RNG.standard_normal((N, 3))
    var = RNG.uniform(0.5, 2.0, (N, 3))
    expected = (0.5 * (np.log(var) + (x - y) ** 2 / var) + 0.5 * math.log(2 * math.pi)).mean()
    out = F.gaussian_nll_loss(_t(x).double(), _t(y).double(), _t(var).double(), full=True)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    v1 = var[:, :1]
    out = F.gaussian_nll_loss(_t(x).double(), _t(y).double(), _t(v1[:, 0]).double())
    np.testing.assert_allclose(out.numpy(), (0.5 * (np.log(v1) + (x - y) ** 2 / v1)).mean(),
                               rtol=1e-12)
    xt, vt = _t(x).double().requires_grad_(), _t(var).double().requires_grad_()
    assert gradcheck(lambda a, v: F.gaussian_nll_loss(a, _t(y).double(), v), (xt, vt))
    tiny = F.gaussian_nll_loss(_t(x), _t(y), autograd.zeros(N, 3))  # clamped at eps
    assert np.isfinite(tiny.item())


def test_focal_loss_reduces_to_cross_entropy_at_gamma_zero_and_downweights_easy_examples():
    x, t = _t(LOGITS).double(), _t(TARGET)
    np.testing.assert_allclose(F.focal_loss(x, t, gamma=0.0).numpy(),
                               F.cross_entropy(x, t).numpy(), rtol=1e-12)
    ce = F.cross_entropy(x, t, reduction="none").numpy()
    p_t = np.exp(-ce)
    np.testing.assert_allclose(F.focal_loss(x, t, gamma=2.0, reduction="none").numpy(),
                               (1 - p_t) ** 2 * ce, rtol=1e-10)
    xt = _t(LOGITS).double().requires_grad_()
    assert gradcheck(lambda a: F.focal_loss(a, t, weight=_t(WEIGHT)), (xt,))
    huge = autograd.tensor(np.array([[1e4, -1e4, 0.0]], np.float32), requires_grad=True)
    loss = F.focal_loss(huge, autograd.tensor([1]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(huge.grad.numpy()))


def test_dice_and_js_divergence_match_numpy():
    p = RNG.uniform(0, 1, (N, 6))
    g = (RNG.random((N, 6)) < 0.5).astype(float)
    dice = 1 - (2 * (p * g).sum(1) + 1.0) / (p.sum(1) + g.sum(1) + 1.0)
    np.testing.assert_allclose(F.dice_loss(_t(p).double(), _t(g).double()).numpy(), dice.mean(),
                               rtol=1e-12)
    lp, lq = _log_softmax(RNG.standard_normal((N, 5))), _log_softmax(RNG.standard_normal((N, 5)))
    pp, qq = np.exp(lp), np.exp(lq)
    m = (pp + qq) / 2
    js = 0.5 * (pp * (lp - np.log(m)) + qq * (lq - np.log(m))).sum() / N
    out = F.js_div(_t(lp).double(), _t(qq).double())
    np.testing.assert_allclose(out.numpy(), js, rtol=1e-10)
    assert 0 <= out.item() <= math.log(2)
    swapped = F.js_div(_t(lq).double(), _t(pp).double())
    np.testing.assert_allclose(swapped.numpy(), out.numpy(), rtol=1e-10)  # symmetric
    lpt = _t(lp).double().requires_grad_()
    assert gradcheck(lambda a: F.js_div(a, _t(qq).double()), (lpt,))
    pt = _t(p).double().requires_grad_()
    assert gradcheck(lambda a: F.dice_loss(a, _t(g).double()), (pt,))


def test_kl_div_batchmean_divides_by_batch_size():
    lp, q = _log_softmax(X), np.exp(_log_softmax(Y))
    out = F.kl_div(_t(lp).double(), _t(q).double(), reduction="batchmean")
    np.testing.assert_allclose(out.numpy(), (q * (np.log(q) - lp)).sum() / N, rtol=1e-12)
    zero_target = F.kl_div(_t(lp).double(), autograd.zeros(N, 3, dtype=autograd.float64),
                           reduction="sum")
    assert zero_target.item() == 0.0


def test_reduction_is_validated_and_legacy_arguments_are_mapped():
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.mse_loss(autograd.ones(2), autograd.ones(2), reduction="avg")
    with pytest.warns(UserWarning):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"


@pytest.mark.parametrize("module,args", [
    (nn.L1Loss(), 2), (nn.MSELoss(), 2), (nn.HuberLoss(), 2), (nn.SmoothL1Loss(), 2),
    (nn.SoftMarginLoss(), 2), (nn.LogCoshLoss(), 2), (nn.QuantileLoss(0.3), 2),
    (nn.BCEWithLogitsLoss(), 2), (nn.SigmoidFocalLoss(), 2),
])
def test_loss_modules_call_their_functions(module, args):
    x, y = _t(P).double(), _t(B).double()
    assert module(x, y).shape == ()
    assert module.__class__.__name__ in repr(module)
