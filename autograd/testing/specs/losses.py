"""Registry entries: fused losses (cross-entropy, NLL, binary cross-entropy with probabilities
and with logits), over every reduction, class weights, ignore_index and label smoothing.

The references are written from the definitions (log-softmax, pick, weighted mean), not from
the fused formulas.
"""
import numpy as np
from hypothesis import strategies as st

import autograd
from autograd.ops import losses as _losses
from ..registry import OpSpec, register
from ..strategies import Domain

FAMILY = "losses"
IGNORE = -100
REDUCTIONS = st.sampled_from(["none", "sum", "mean"])


@st.composite
def _class_setup(draw, smoothing):
    """x: (N, C), (C,) or (N, C, L); integer targets, some ignored; optional class weights."""
    c = draw(st.integers(1, 4))
    n = draw(st.integers(1, 3))
    shape = draw(st.sampled_from([(n, c), (c,), (n, c, 2)]))
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    target = rng.integers(0, c, size=tshape)
    reduction = draw(REDUCTIONS)
    ignore = rng.random(tshape) < 0.3
    flat = np.asarray(ignore).reshape(-1)
    if reduction == "mean" and flat.all():
        flat[0] = False  # the weighted mean over no valid target is 0/0
    target = np.where(flat.reshape(tshape), IGNORE, target).astype(np.int64)
    weight = rng.uniform(0.5, 2.0, c) if draw(st.booleans()) else None
    kwargs = {"target": target, "weight": weight, "reduction": reduction}
    if smoothing:
        kwargs["label_smoothing"] = draw(st.sampled_from([0.0, 0.1]))
    return (shape,), kwargs


def _as_tensor(a, like):
    return None if a is None else autograd.tensor(np.asarray(a, like.dtype))


def _log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _reduce(loss, total_weight, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / total_weight


def _pick(logp, target, weight, axis):
    """-w[t] * logp[t] per element (0 where ignored) and the per-element weights w[t]."""
    c = logp.shape[axis]
    valid = target != IGNORE
    safe = np.where(valid, target, 0)
    onehot = np.moveaxis(np.eye(c)[safe], -1, axis) if logp.ndim > 1 else np.eye(c)[safe]
    w = np.ones(c) if weight is None else weight
    w_t = np.where(valid, w[safe], 0.0)
    return -(onehot * logp).sum(axis=axis) * w_t, w_t, valid, w


def _cross_entropy_ref(x, target, weight, reduction, label_smoothing=0.0):
    axis = 1 if x.ndim >= 2 else 0
    logp = _log_softmax(x, axis)
    nll, w_t, valid, w = _pick(logp, target, weight, axis)
    wb = w.reshape((-1,) + (1,) * (x.ndim - axis - 1))
    smooth = -(logp * wb).sum(axis=axis) * valid
    c = x.shape[axis]
    loss = (1 - label_smoothing) * nll + label_smoothing / c * smooth
    return _reduce(loss, w_t.sum(), reduction)


def _nll_ref(x, target, weight, reduction):
    axis = 1 if x.ndim >= 2 else 0
    loss, w_t, _, _ = _pick(x, target, weight, axis)
    return _reduce(loss, w_t.sum(), reduction)


register(OpSpec("cross_entropy", lambda x, target, weight, reduction, label_smoothing:
                _losses.cross_entropy(x, target, _np(weight, x), IGNORE,
                                      label_smoothing, reduction),
                _cross_entropy_ref, FAMILY, domains=(Domain(-4.0, 4.0),),
                setup=_class_setup(True), covers=("CrossEntropy",), atol32=1e-5, rtol32=1e-4,
                notes="class weights are constants, as in PyTorch"))
register(OpSpec("nll_loss", lambda x, target, weight, reduction:
                _losses.nll_loss(x, target, _np(weight, x), IGNORE, reduction),
                _nll_ref, FAMILY, domains=(Domain(-4.0, 0.0),), setup=_class_setup(False),
                covers=("NLLLoss",)))


def _np(a, like):
    return None if a is None else np.asarray(a, like.dtype)


# ---------------------------------------------------------------------- binary cross-entropy
@st.composite
def _binary_setup(draw, n_tensors):
    shape = draw(st.sampled_from([(), (3,), (2, 3), (2, 1, 2)]))
    return (shape,) * n_tensors, {"reduction": draw(REDUCTIONS)}


def _mean_or(loss, reduction):
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def _bce_ref(x, y, weight=None, reduction="mean"):
    loss = -(y * np.log(x) + (1 - y) * np.log(1 - x))
    return _mean_or(loss if weight is None else loss * weight, reduction)


PROB = Domain(0.05, 0.95)
register(OpSpec("binary_cross_entropy", lambda x, y, reduction:
                _losses.binary_cross_entropy(x, y, None, reduction),
                lambda x, y, reduction: _bce_ref(x, y, reduction=reduction), FAMILY,
                domains=(PROB, Domain(0.0, 1.0)), setup=_binary_setup(2),
                covers=("BinaryCrossEntropy",)))
register(OpSpec("binary_cross_entropy_weighted", lambda x, y, w, reduction:
                _losses.binary_cross_entropy(x, y, w, reduction), _bce_ref, FAMILY,
                domains=(PROB, Domain(0.0, 1.0), Domain(0.5, 2.0)), setup=_binary_setup(3),
                covers=("BinaryCrossEntropy",)))


def _bce_logits_ref(x, y, weight=None, pos_weight=None, reduction="mean"):
    log_sig = -np.logaddexp(0.0, -x)
    log_one_minus_sig = -np.logaddexp(0.0, x)
    pw = 1.0 if pos_weight is None else pos_weight
    loss = -(pw * y * log_sig + (1 - y) * log_one_minus_sig)
    return _mean_or(loss if weight is None else loss * weight, reduction)


_LOGITS = Domain(-5.0, 5.0)
register(OpSpec("binary_cross_entropy_with_logits", lambda x, y, reduction:
                _losses.binary_cross_entropy_with_logits(x, y, None, None, reduction),
                lambda x, y, reduction: _bce_logits_ref(x, y, reduction=reduction), FAMILY,
                domains=(_LOGITS, Domain(0.0, 1.0)), setup=_binary_setup(2),
                covers=("BinaryCrossEntropyWithLogits",)))
register(OpSpec("binary_cross_entropy_with_logits_weights", lambda x, y, w, pw, reduction:
                _losses.binary_cross_entropy_with_logits(x, y, w, pw, reduction),
                _bce_logits_ref, FAMILY,
                domains=(_LOGITS, Domain(0.0, 1.0), Domain(0.5, 2.0), Domain(0.5, 3.0)),
                setup=_binary_setup(4), covers=("BinaryCrossEntropyWithLogits",),
                notes="weight and pos_weight are differentiated too"))
