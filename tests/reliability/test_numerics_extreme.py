"""Extreme inputs for every activation, softmax-like function, loss and normalisation layer.

Inputs are float32 and reach |x| = 1e4 (plus tiny and subnormal magnitudes, exact zeros,
all-equal and one-hot-confident logits, probabilities of exactly 0 and 1, constant rows for the
normalisation layers). For each: the value and the gradient are finite wherever the
mathematical function is, keep float32, and equal a float64 reference (NumPy, written from the
definition with stable formulas) evaluated on the same float32 inputs:

    |got - ref| <= RTOL * |ref| + ATOL,   RTOL = 2e-6 (a few float32 ulps), ATOL = 1e-30

except where noted (formulas whose float32 evaluation genuinely loses digits).
"""
import math

import numpy as np
import pytest

import autograd as A
import nn
import nn.functional as F


RTOL, ATOL = 2e-6, 1e-30
EXTREME = np.array([-1e4, -1e3, -100.0, -30.0, -20.0, -5.0, -1.0, -1e-3, -1e-30, -1e-42, 0.0,
                    1e-42, 1e-30, 1e-3, 1.0, 5.0, 20.0, 30.0, 100.0, 1e3, 1e4], np.float32)
SQRT2 = math.sqrt(2.0)
_erf = np.vectorize(math.erf)
_erfc = np.vectorize(math.erfc)


def _sig(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sp(x):
    return np.logaddexp(0.0, x)


def _gelu_tanh(x):
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    return 0.5 * x * (1 + np.tanh(u))


def _gelu_tanh_grad(x):
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    du = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x ** 2)
    t = np.tanh(u)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du


_SELU_A, _SELU_S = 1.6732632423543772, 1.0507009873554805

# name: (function on a float32 tensor, value(x), derivative(x), kinks: no gradient check there)
ACTIVATIONS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0, (0.0,)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6), lambda x: ((x > 0) & (x < 6)) * 1.0,
              (0.0, 6.0)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.01), lambda x: np.where(x > 0, x, 0.01 * x),
                   lambda x: np.where(x > 0, 1.0, 0.01), (0.0,)),
    "elu": (F.elu, lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
            lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))), (0.0,)),
    "selu": (F.selu, lambda x: _SELU_S * np.where(x > 0, x, _SELU_A * np.expm1(np.minimum(x, 0))),
             lambda x: _SELU_S * np.where(x > 0, 1.0, _SELU_A * np.exp(np.minimum(x, 0))),
             (0.0,)),
    "celu": (lambda x: F.celu(x, 2.0),
             lambda x: np.where(x > 0, x, 2.0 * np.expm1(np.minimum(x, 0) / 2.0)),
             lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / 2.0)), (0.0,)),
    "gelu": (F.gelu, lambda x: 0.5 * x * _erfc(-x / SQRT2),
             lambda x: 0.5 * _erfc(-x / SQRT2) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi),
             ()),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), _gelu_tanh, _gelu_tanh_grad, ()),
    "silu": (F.silu, lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * _sig(-x)), ()),
    "mish": (F.mish, lambda x: x * np.tanh(_sp(x)),
             lambda x: np.tanh(_sp(x)) + x * (1 - np.tanh(_sp(x)) ** 2) * _sig(x), ()),
    "softplus": (F.softplus, _sp, _sig, ()),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=10.0),
                      lambda x: np.where(2 * x > 10, x, _sp(2 * x) / 2),
                      lambda x: np.where(2 * x > 10, 1.0, _sig(2 * x)),
                      ()),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2,
                 ()),
    "sigmoid": (F.sigmoid, _sig, lambda x: _sig(x) * _sig(-x), ()),
    "tanh": (F.tanh, np.tanh, lambda x: 1 - np.tanh(x) ** 2, ()),
    "hardtanh": (F.hardtanh, lambda x: np.clip(x, -1, 1), lambda x: (np.abs(x) < 1) * 1.0,
                 (-1.0, 1.0)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1),
                    lambda x: (np.abs(x) < 3) / 6.0, (-3.0, 3.0)),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x / 6 + 0.5, 0, 1),
                  lambda x: np.where(x > 3, 1.0, np.where(x < -3, 0.0, x / 3 + 0.5)),
                  (-3.0, 3.0)),
    "logsigmoid": (F.logsigmoid, lambda x: -_sp(-x), lambda x: _sig(-x), ()),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2, ()),
    "softshrink": (F.softshrink,
                   lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
                   lambda x: (np.abs(x) > 0.5) * 1.0, (-0.5, 0.5)),
    "hardshrink": (F.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
                   lambda x: (np.abs(x) > 0.5) * 1.0, (-0.5, 0.5)),
    "threshold": (lambda x: F.threshold(x, 1.0, -2.0), lambda x: np.where(x > 1, x, -2.0),
                  lambda x: (x > 1) * 1.0, (1.0,)),
    "prelu": (lambda x: F.prelu(x, A.tensor([0.25])), lambda x: np.where(x > 0, x, 0.25 * x),
              lambda x: np.where(x > 0, 1.0, 0.25), (0.0,)),
    "exp": (A.exp, np.exp, np.exp, ()),
    "expm1": (A.expm1, np.expm1, np.exp, ()),
    "log1p_abs": (lambda x: A.log1p(A.abs(x)), lambda x: np.log1p(np.abs(x)),
                  lambda x: np.sign(x) / (1 + np.abs(x)), (0.0,)),
    "erf": (A.erf, _erf, lambda x: 2 / math.sqrt(math.pi) * np.exp(-x * x), ()),
}

def _close(x, got, ref, atol, what):
    """|got - ref| <= RTOL |ref| + atol elementwise (atol an array or a number)."""
    ref = ref.astype(np.float64)
    assert np.isfinite(got).all(), f"{what}: not finite at x = {x[~np.isfinite(got)]}"
    err = np.abs(got.astype(np.float64) - ref)
    bad = err > RTOL * np.abs(ref) + atol
    assert not bad.any(), (f"{what}: at x = {x[bad]} got {got[bad]} expected {ref[bad]} "
                           f"(tolerance {RTOL} * |ref| + {np.broadcast_to(atol, x.shape)[bad]})")


# NOTE on the tolerance: every value is compared with RTOL = 2e-6 relative plus an absolute
# EPS32 * max(1, |x|) for values and EPS32 for gradients: a few float32 ulps on the scale of the
# terms the function is computed from. A pure relative test fails in tails where a formula
# cancels (1 + erf(x) for x << 0 in gelu, 1 - tanh(x)^2 and sigmoid(x)(1 - sigmoid(x)) from
# the saved output, 1 - x/(1+|x|) in softsign's composed gradient): there the float32 result
# keeps an absolute error of an ulp of 1 while the true value is far smaller. PyTorch's CPU
# kernels use the same formulas; LOSES_RELATIVE_PRECISION records where (checked below).
EPS32 = float(np.finfo(np.float32).eps)
LOSES_RELATIVE_PRECISION = {
    "gelu": "value for x < -3 (1 + erf(x / sqrt 2) cancels; 0.5 x erfc(-x / sqrt 2) would not)",
    "gelu_tanh": "value for x < -3 (1 + tanh(u) cancels)",
    "sigmoid": "gradient for |x| > 9 (computed as s (1 - s) from the float32 output)",
    "tanh": "gradient for |x| > 4 (computed as 1 - y^2 from the float32 output)",
    "softsign": "gradient for |x| > 100 (composed x / (1 + |x|): the division's backward "
                "subtracts nearly equal terms)",
    "silu": "gradient for x << 0 (through sigmoid's gradient)",
    "mish": "gradient for x << 0 (through tanh's and sigmoid's gradients)",
    "hardswish": "",
    "tanhshrink": "value for |x| < 1e-2 (x - tanh(x) cancels)",
    "logsigmoid": "",
}


# ---------------------------------------------------------------------- softmax family
LOGITS = {
    "all_equal_large": np.full((2, 4), 1e4, np.float32),
    "all_equal_negative": np.full((2, 4), -1e4, np.float32),
    "one_hot_confident": np.array([[1e4, 0, 0, 0], [0, -1e4, 1e4, 0]], np.float32),
    "spread": np.array([[1e4, -1e4, 1e3, -1e3], [30, 20, -20, -30]], np.float32),
    "tiny": np.array([[1e-30, 0, -1e-30, 1e-42], [0, 0, 0, 0]], np.float32),
}


def _softmax64(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _log_softmax64(z):
    s = z - z.max(1, keepdims=True)
    return s - np.log(np.exp(s).sum(1, keepdims=True))


@pytest.mark.parametrize("case", sorted(LOGITS))
def test_softmax_log_softmax_logsumexp_at_extreme_logits(case):
    z = LOGITS[case]
    z64 = z.astype(np.float64)
    w = np.arange(1.0, 5.0)                         # an upstream gradient that is not uniform
    for name, fn, ref, grad in [
            ("softmax", lambda t: F.softmax(t, 1), _softmax64,
             lambda p: p * (w - (w * p).sum(1, keepdims=True))),
            ("log_softmax", lambda t: F.log_softmax(t, 1), _log_softmax64,
             lambda lp: w - np.exp(lp) * w.sum()),
            ("softmin", lambda t: F.softmin(t, 1), lambda a: _softmax64(-a),
             lambda p: -(p * (w - (w * p).sum(1, keepdims=True)))),
    ]:
        x = A.tensor(z, requires_grad=True)
        y = fn(x)
        (y * A.tensor(w, dtype=A.float32)).sum().backward()
        r = ref(z64)
        # NOTE: log_softmax = shifted - log(sum): log of a float32 sum near 1 keeps an absolute
        # error of an ulp of 1, so tiny log-probabilities (-4.5e-5) lose relative digits
        _close2(y.detach().numpy(), r, f"{name} value ({case})", atol=EPS32)
        _close2(x.grad.numpy(), grad(r), f"{name} gradient ({case})", atol=1e-6)
    x = A.tensor(z, requires_grad=True)
    lse = A.logsumexp(x, 1)
    lse.sum().backward()
    m = z64.max(1)
    _close2(lse.detach().numpy(), m + np.log(np.exp(z64 - m[:, None]).sum(1)), "logsumexp")
    # the softmax, to a few ulps (it was off by 4e-4 at 1e4 before 04b28a3, computed as
    # exp(x - logsumexp(x)) from the rounded float32 result)
    _close2(x.grad.numpy(), _softmax64(z64), "logsumexp gradient", rtol=4 * RTOL, atol=1e-7)


def _close2(got, ref, what, rtol=RTOL, atol=ATOL):
    got, ref = np.asarray(got), np.asarray(ref, np.float64)
    assert np.isfinite(got).all(), f"{what}: not finite: {got}"
    err = np.abs(got.astype(np.float64) - ref)
    bad = err > rtol * np.abs(ref) + atol
    assert not bad.any(), f"{what}: got {got[bad]} expected {ref[bad]} (rtol {rtol})"


# ---------------------------------------------------------------------- losses
def _ce_ref(z, t):
    lp = _log_softmax64(z)
    n = len(t)
    loss = -lp[np.arange(n), t].mean()
    g = _softmax64(z)
    g[np.arange(n), t] -= 1
    return loss, g / n


@pytest.mark.parametrize("case", sorted(LOGITS))
@pytest.mark.parametrize("target", [[0, 1], [3, 2]])
def test_cross_entropy_and_nll_at_extreme_logits(case, target):
    z = LOGITS[case]
    x = A.tensor(z, requires_grad=True)
    loss = F.cross_entropy(x, A.tensor(target))
    loss.backward()
    ref, g = _ce_ref(z.astype(np.float64), np.array(target))
    assert loss.dtype == np.float32
    _close2(loss.detach().numpy(), ref, f"cross_entropy ({case})", rtol=1e-6, atol=1e-6)
    _close2(x.grad.numpy(), g, f"cross_entropy gradient ({case})", atol=1e-7)
    # nll_loss of log_softmax: the same numbers through two nodes
    x = A.tensor(z, requires_grad=True)
    loss = F.nll_loss(F.log_softmax(x, 1), A.tensor(target))
    loss.backward()
    _close2(loss.detach().numpy(), ref, f"nll_loss ({case})", rtol=1e-6, atol=1e-6)
    _close2(x.grad.numpy(), g, f"nll_loss gradient ({case})", atol=1e-7)


def test_cross_entropy_with_label_smoothing_and_weights_at_confident_logits():
    z = np.array([[1e4, 0, -1e4], [-1e4, 1e4, 0]], np.float32)
    w = np.array([0.5, 2.0, 1.0])
    x = A.tensor(z, requires_grad=True)
    loss = F.cross_entropy(x, A.tensor([1, 0]), weight=A.tensor(w, dtype=A.float32),
                           label_smoothing=0.1)
    loss.backward()
    lp = _log_softmax64(z.astype(np.float64))
    t = np.array([1, 0])
    q = np.full((2, 3), 0.1 / 3) * w
    q[np.arange(2), t] += 0.9 * w[t]
    ref = -(q * lp).sum() / w[t].sum()
    g = (q.sum(1, keepdims=True) * _softmax64(z.astype(np.float64)) - q) / w[t].sum()
    _close2(loss.detach().numpy(), ref, "smoothed weighted cross_entropy", rtol=1e-6)
    _close2(x.grad.numpy(), g, "smoothed weighted cross_entropy gradient", atol=1e-7)


def test_bce_at_probabilities_exactly_zero_and_one():
    # PyTorch's convention: each log is clamped at -100, the gradient's denominator at 1e-12
    p = np.array([0.0, 0.0, 1.0, 1.0, 0.5, 1e-30, 1 - 2 ** -24], np.float32)
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0], np.float32)
    x = A.tensor(p, requires_grad=True)
    loss = F.binary_cross_entropy(x, A.tensor(y), reduction="none")
    loss.sum().backward()
    p64, y64 = p.astype(np.float64), y.astype(np.float64)
    with np.errstate(divide="ignore"):
        ref = -(y64 * np.maximum(np.log(p64), -100) + (1 - y64) * np.maximum(np.log1p(-p64), -100))
    g = (p64 - y64) / np.maximum(p64 * (1 - p64), 1e-12)
    _close2(loss.detach().numpy(), ref, "binary_cross_entropy", rtol=1e-6)
    _close2(x.grad.numpy(), g, "binary_cross_entropy gradient", rtol=1e-6)


@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_bce_with_logits_at_extreme_logits(pos_weight):
    z = np.array([-1e4, -100, -20, -1e-30, 0.0, 1e-30, 20, 100, 1e4], np.float32)
    for y in (0.0, 1.0, 0.25):
        x = A.tensor(z, requires_grad=True)
        pw = None if pos_weight is None else A.tensor([pos_weight])
        loss = F.binary_cross_entropy_with_logits(x, A.full((9,), y), reduction="none",
                                                  pos_weight=pw)
        loss.sum().backward()
        z64 = z.astype(np.float64)
        lw = 1 + ((pos_weight or 1.0) - 1) * y
        ref = (1 - y) * z64 + lw * _sp(-z64)
        g = (1 - y) - lw * _sig(-z64)
        # (exact also for confident negatives since 443b8ed: the loss used to be computed as
        # (1 - y) x + softplus(-x), which cancelled to 0 below an ulp of |x|)
        _close2(loss.detach().numpy(), ref, f"bce_with_logits y={y}", rtol=1e-6)
        _close2(x.grad.numpy(), g, f"bce_with_logits gradient y={y}", rtol=1e-6, atol=1e-7)


D = np.array([-1e4, -1e3, -30, -1, -1e-30, 0.0, 1e-30, 1, 30, 1e3, 1e4], np.float32)

# name: (loss(input, target) with reduction 'none', value(d), d value/d input, kinks of d)
REGRESSION_LOSSES = {
    "mse": (lambda x, t: F.mse_loss(x, t, reduction="none"), lambda d: d * d, lambda d: 2 * d,
            ()),
    "l1": (lambda x, t: F.l1_loss(x, t, reduction="none"), np.abs, np.sign, (0.0,)),
    "huber": (lambda x, t: F.huber_loss(x, t, reduction="none", delta=2.0),
              lambda d: np.where(np.abs(d) < 2, 0.5 * d * d, 2 * (np.abs(d) - 1)),
              lambda d: np.clip(d, -2, 2), ()),
    "smooth_l1": (lambda x, t: F.smooth_l1_loss(x, t, reduction="none", beta=0.5),
                  lambda d: np.where(np.abs(d) < 0.5, d * d, np.abs(d) - 0.25),
                  lambda d: np.clip(2 * d, -1, 1), ()),
    "log_cosh": (lambda x, t: F.log_cosh_loss(x, t, reduction="none"),
                 lambda d: np.abs(d) + np.log1p(np.exp(-2 * np.abs(d))) - math.log(2),
                 np.tanh, ()),
    "soft_margin": (lambda x, t: F.soft_margin_loss(x - t + 1.0, A.ones_like(t),
                                                    reduction="none"),
                    lambda d: _sp(-(d + 1)), lambda d: -_sig(-(d + 1)),
                    ()),
    "quantile": (lambda x, t: F.quantile_loss(x, t, 0.3, reduction="none"),
                 lambda d: np.maximum(-0.3 * d, 0.7 * d),
                 lambda d: np.where(d > 0, 0.7, -0.3), (0.0,)),
}


@pytest.mark.parametrize("name", sorted(REGRESSION_LOSSES))
def test_regression_losses_at_extreme_differences(name):
    fn, value, deriv, kinks = REGRESSION_LOSSES[name]
    target = np.float32(0.5)
    xs = (D + target).astype(np.float32)
    x = A.tensor(xs, requires_grad=True)
    loss = fn(x, A.full(D.shape, float(target)))
    assert loss.dtype == np.float32
    loss.sum().backward()
    d = xs.astype(np.float64) - float(target)
    _close2(loss.detach().numpy(), value(d), f"{name} value", rtol=1e-6, atol=1e-6)
    keep = np.all([np.abs(d - k) > 1e-6 for k in kinks], axis=0) if kinks else slice(None)
    _close2(x.grad.numpy()[keep], deriv(d)[keep], f"{name} gradient", rtol=1e-6, atol=1e-6)


def test_kl_div_with_zero_targets_and_extreme_log_probabilities():
    lp = np.array([[-1e4, 0.0, -30.0], [-1e-30, -100.0, -1e3]], np.float32)
    t = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], np.float32)
    x = A.tensor(lp, requires_grad=True)
    loss = F.kl_div(x, A.tensor(t), reduction="sum")
    loss.backward()
    t64, lp64 = t.astype(np.float64), lp.astype(np.float64)
    ref = np.where(t64 > 0, t64 * np.log(np.where(t64 > 0, t64, 1)), 0) - t64 * lp64
    _close2(loss.detach().numpy(), ref.sum(), "kl_div", rtol=1e-6)
    _close2(x.grad.numpy(), -t64, "kl_div gradient")


def test_gaussian_nll_with_tiny_variances():
    x = A.tensor(np.array([0.0, 1.0, -1.0, 1e3], np.float32), requires_grad=True)
    var = A.tensor(np.array([0.0, 1e-30, 1e-6, 1e4], np.float32), requires_grad=True)
    loss = F.gaussian_nll_loss(x, A.zeros(4), var, reduction="sum")
    loss.backward()
    v = np.maximum(var.detach().numpy().astype(np.float64), 1e-6)
    x64 = x.detach().numpy().astype(np.float64)
    ref = 0.5 * (np.log(v) + x64 ** 2 / v)
    _close2(loss.detach().numpy(), ref.sum(), "gaussian_nll", rtol=1e-6)
    _close2(x.grad.numpy(), x64 / v, "gaussian_nll gradient", rtol=1e-6)
    _close2(var.grad.numpy(), 0.5 * (1 / v - x64 ** 2 / v ** 2), "gaussian_nll var gradient",
            rtol=1e-5)


def test_focal_losses_at_confident_logits():
    z = np.array([[1e4, 0.0, -1e4], [-30.0, 30.0, 0.0]], np.float32)
    x = A.tensor(z, requires_grad=True)
    loss = F.focal_loss(x, A.tensor([0, 2]), gamma=2.0, reduction="sum")
    loss.backward()
    lp = _log_softmax64(z.astype(np.float64))
    lpt = lp[[0, 1], [0, 2]]
    pt = np.exp(lpt)
    ref = (-(1 - pt) ** 2 * lpt).sum()
    _close2(loss.detach().numpy(), ref, "focal_loss", rtol=1e-5, atol=1e-6)
    assert np.isfinite(x.grad.numpy()).all()
    x = A.tensor(z.ravel(), requires_grad=True)
    y = np.array([1, 0, 0, 0, 1, 1], np.float32)
    loss = F.sigmoid_focal_loss(x, A.tensor(y), reduction="sum")
    loss.backward()
    z64 = z.ravel().astype(np.float64)
    p = _sig(z64)
    ce = _sp(z64) - z64 * y
    pt = p * y + (1 - p) * (1 - y)
    ref = (ce * (1 - pt) ** 2 * (0.25 * y + 0.75 * (1 - y))).sum()
    _close2(loss.detach().numpy(), ref, "sigmoid_focal_loss", rtol=1e-5, atol=1e-6)
    assert np.isfinite(x.grad.numpy()).all()


# ---------------------------------------------------------------------- normalisation
def _ln64(x, eps):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)


NORM_INPUTS = {
    "constant_rows": np.array([[3.0, 3.0, 3.0, 3.0], [-1e4, -1e4, -1e4, -1e4]], np.float32),
    "tiny_variance": np.array([[1.0, 1.0 + 2 ** -20, 1.0, 1.0 - 2 ** -20],
                               [1e-30, -1e-30, 0.0, 1e-30]], np.float32),
    "huge_values": np.array([[1e4, -1e4, 1e3, -1e3], [1e4, 1e4 + 1, 1e4 - 1, 1e4]], np.float32),
    "zeros": np.zeros((2, 4), np.float32),
}


def _norm_cases(x):
    w = np.array([1.0, 2.0, 0.5, -1.0])
    b = np.array([0.1, 0.0, -0.2, 0.3])
    return [
        ("layer_norm", lambda t: F.layer_norm(t, (4,), A.tensor(w, dtype=A.float32),
                                              A.tensor(b, dtype=A.float32), eps=1e-5),
         lambda a: _ln64(a, 1e-5) * w + b),
        ("rms_norm", lambda t: F.rms_norm(t, (4,), A.tensor(w, dtype=A.float32), eps=1e-6),
         lambda a: a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-6) * w),
        ("batch_norm_train", lambda t: F.batch_norm(t.T, None, None, None, None, training=True,
                                                    eps=1e-5).T,
         lambda a: _ln64(a, 1e-5)),
        ("group_norm", lambda t: F.group_norm(t.reshape(2, 2, 2), 1, eps=1e-5).reshape(2, 4),
         lambda a: _ln64(a, 1e-5)),
    ]


@pytest.mark.parametrize("case", sorted(NORM_INPUTS))
def test_normalisation_layers_with_tiny_and_zero_variances(case):
    z = NORM_INPUTS[case]
    z64 = z.astype(np.float64)
    up = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]])
    for name, fn, ref in _norm_cases(z):
        x = A.tensor(z, requires_grad=True)
        y = fn(x)
        (y * A.tensor(up, dtype=A.float32)).sum().backward()
        r = ref(z64)
        got = y.detach().numpy()
        assert got.dtype == np.float32 and np.isfinite(got).all(), name
        # NOTE: the statistics of float32 rows at 1e4 carry float32 rounding (the mean of
        # 1e4 + small differences): compare on the scale of the output, not per element
        np.testing.assert_allclose(got, r, rtol=1e-4, atol=1e-4 * (1 + np.abs(r).max()),
                                   err_msg=f"{name} ({case})")
        # the gradient against float64 finite differences of the float64 reference
        g = x.grad.numpy()
        assert g.dtype == np.float32 and np.isfinite(g).all(), f"{name} gradient ({case})"
        num = np.zeros_like(z64)
        h = 1e-6   # small next to sqrt(eps): the step must not change the variance much
        for idx in np.ndindex(z.shape):
            zp, zm = z64.copy(), z64.copy()
            zp[idx] += h
            zm[idx] -= h
            num[idx] = ((ref(zp) - ref(zm)) * up).sum() / (2 * h)
        scale = 1 + np.abs(num).max()
        np.testing.assert_allclose(g, num, rtol=2e-3, atol=2e-3 * scale,
                                   err_msg=f"{name} gradient ({case})")


def test_batch_norm_eval_with_a_tiny_running_variance():
    x = A.tensor(np.array([[1e4, -1e-30], [0.0, 1.0]], np.float32), requires_grad=True)
    rm = A.tensor(np.array([0.0, 1.0], np.float32))
    rv = A.tensor(np.array([0.0, 1e-30], np.float32))
    y = F.batch_norm(x, rm, rv, training=False, eps=1e-5)
    y.sum().backward()
    x64 = x.detach().numpy().astype(np.float64)
    ref = (x64 - [0.0, 1.0]) / np.sqrt(np.array([0.0, 1e-30]) + 1e-5)
    _close2(y.detach().numpy(), ref, "batch_norm eval", rtol=1e-6)
    _close2(x.grad.numpy(), np.broadcast_to(1 / np.sqrt([1e-5, 1e-5 + 1e-30]), (2, 2)),
            "batch_norm eval gradient", rtol=1e-6)


def test_norm_layers_as_modules_in_float32_at_extremes():
    x = A.tensor(np.array([[1e4, 1e4, 1e4], [0.0, 0.0, 0.0], [1e-30, 0.0, -1e-30]],
                          np.float32), requires_grad=True)
    for m in (nn.LayerNorm(3), nn.RMSNorm(3), nn.BatchNorm1d(3), nn.GroupNorm(1, 3)):
        y = m(x)
        y.sum().backward()
        assert np.isfinite(y.detach().numpy()).all(), type(m).__name__
        assert np.isfinite(x.grad.numpy()).all(), type(m).__name__
        x.grad = None
