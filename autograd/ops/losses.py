"""Fused loss ops: cross-entropy and NLL with class indices, binary cross-entropy (from
probabilities and from logits).

NOTE: these exist for stability and speed. Cross-entropy as log_softmax + a one-hot product
builds an (N, C) one-hot array and three extra nodes; here the log-sum-exp, the pick of the
target's log-probability, the class weights, label smoothing, `ignore_index` and the reduction
are one node whose gradient is the familiar `s * (a * softmax - q)`. Binary cross-entropy from
logits uses max(x, 0) - x*y + log1p(exp(-|x|)), finite for any finite logit; from probabilities
it clamps the logs at -100 and its gradient's denominator at 1e-12, as PyTorch does.

Each reduction is one of 'none', 'sum', 'mean' and happens inside the node.
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor
from . import elementwise as _ew
from . import nn as _nn
from ._util import dual, unbroadcast

__all__ = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "check_class_targets"]

def _sigmoid_array(x):
    e = np.exp(-np.abs(x))
    return (np.where(x >= 0, 1.0, e) / (1.0 + e)).astype(x.dtype, copy=False)


_sigmoid = dual(_ew.sigmoid, _sigmoid_array)
_clamp_min = dual(lambda t, v: _ew.clamp(t, min=v), np.maximum)


def _softplus_neg_array(x):
    """log(1 + exp(-x)), finite for every finite x."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)


_softplus_neg = dual(lambda t: _nn.softplus(-t), _softplus_neg_array)


def check_class_targets(target, n_classes, ignore_index, op):
    """Raise IndexError naming the first target outside [0, n_classes) (ignore_index allowed).

    Returns whether any target equals `ignore_index`, so callers can skip masking when none does.
    """
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got dtype {target.dtype}")
    if not target.size:
        return False
    if target.min() >= 0 and target.max() < n_classes:  # the common case: two reductions
        return (ignore_index is not None and 0 <= ignore_index < n_classes
                and bool((target == ignore_index).any()))
    ignored = (target == ignore_index) if ignore_index is not None else np.zeros(target.shape, bool)
    bad = (target < 0) | (target >= n_classes)
    bad &= ~ignored
    if bad.any():
        value = int(target[bad].flat[0])
        raise IndexError(f"{op}: target class {value} is out of bounds: the input has "
                         f"{n_classes} classes, so targets must be in [0, {n_classes - 1}]"
                         + (f" or equal ignore_index={ignore_index}" if ignore_index is not None
                            and not 0 <= ignore_index < n_classes else ""))
    return bool(ignored.any())


def _mean(a):
    """`a.mean()` of a float array. For float32/64 it is the same sum divided by the count,
    without the Python wrapper around `ndarray.mean` (a loss computes one per step)."""
    if a.dtype.itemsize < 4 or not a.size:
        return a.mean()  # float16 means accumulate in float32; an empty mean warns
    return np.add.reduce(a, None) / a.size


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return np.asarray(_mean(loss), dtype=loss.dtype)


def _class_axis(x):
    return 1 if x.ndim >= 2 else 0


def _pick_weights(target, weight, ignore_index, dtype):
    """(safe target indices, per-element weight of the target class, 0 where ignored)."""
    if ignore_index is None:  # no target is ignored
        valid = np.ones(target.shape, bool)
        safe = target
    else:
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
    w_t = valid.astype(dtype) if weight is None else np.where(valid, weight[safe], 0).astype(dtype)
    return safe, np.asarray(w_t), valid


def _scale(ctx, g, ndim, axis):
    """The upstream gradient per element, with a 1 inserted at the class axis."""
    if ctx.reduction == "none":
        return g.reshape(g.shape[:axis] + (1,) + g.shape[axis:])
    if ctx.reduction == "mean":
        return g / ctx.denom
    return g


# ---------------------------------------------------------------------- cross-entropy
class CrossEntropy(Op):
    """loss_i = (1 - eps) * w[t_i] * -logp[i, t_i] + eps / C * sum_c w[c] * -logp[i, c],
    logp = log_softmax(x) over the class axis 1 (axis 0 for an unbatched (C,) input); ignored
    targets contribute 0. 'mean' divides by the sum of w[t_i] over non-ignored elements.

    With q[i, c] = (1 - eps) * w[t_i] * [c == t_i] + eps / C * w[c] and a_i = sum_c q[i, c]:
        gx = s_i * (a_i * softmax(x)[i, :] - q[i, :])
    where s_i is the upstream gradient of element i (divided by the weight sum for 'mean').

    Shapes: x: (N, C, *) or (C,)  target: (N, *) or ()  weight: (C,) or None  ->  () or (N, *)
    (`options` is the tuple (weight, ignore_index, label_smoothing, reduction).)
    """

    _float_constants_ok = True

    @staticmethod
    def forward(ctx, x, target, options):
        # (the options travel as one tuple so the call takes the three-argument fast path)
        weight, ignore_index, label_smoothing, reduction = options
        axis = _class_axis(x)
        n_classes = x.shape[axis]
        # (the ufuncs' own reduce: the ndarray methods add a Python wrapper each)
        shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
        e = np.exp(shifted)
        sum_e = np.add.reduce(e, axis=axis, keepdims=True)
        if (x.ndim == 2 and weight is None and label_smoothing == 0 and reduction == "mean"
                and x.shape[0] and (ignore_index is None or not (target == ignore_index).any())):
            # NOTE: the common case (plain mean over a batch of class indices) is one fancy
            # index each way; the general path below builds full target-mass arrays.
            rows = np.arange(x.shape[0])
            ctx.reduction, ctx.simple = reduction, (rows, None)
            log_sum = np.log(sum_e).reshape(-1)
            e /= sum_e  # softmax, in place
            ctx.save_for_backward(x, e, target)
            losses = np.subtract(log_sum, shifted[rows, target], out=log_sum)
            return np.asarray(_mean(losses), dtype=x.dtype)
        logp = shifted - np.log(sum_e)
        ctx.simple = None
        safe, w_t, valid = _pick_weights(target, weight, ignore_index, x.dtype)
        picked = np.take_along_axis(logp, np.expand_dims(safe, axis), axis).squeeze(axis)
        loss = -picked * w_t
        if label_smoothing > 0:
            wb = 1.0 if weight is None else weight.reshape((-1,) + (1,) * (x.ndim - axis - 1))
            smooth = -(logp * wb).sum(axis=axis) * valid
            loss = (1.0 - label_smoothing) * loss + (label_smoothing / n_classes) * smooth
        ctx.reduction = reduction
        if reduction == "mean":
            ctx.denom = w_t.sum(dtype=x.dtype)
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.asarray(loss.sum() / ctx.denom, dtype=x.dtype)
        else:
            out = _reduce(loss, reduction)
        ctx.weight, ctx.eps_ls = weight, label_smoothing
        ctx.save_for_backward(x, e / sum_e, safe, w_t, valid)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if not ctx.needs_input_grad[0]:
            return None, None, None
        if ctx.simple is not None:
            x, p, target = ctx.saved_tensors
            rows, ignore_index = ctx.simple
            if isinstance(g, np.ndarray):
                scale = g / x.shape[0]
                gx = p * scale
                flat = rows * x.shape[1]
                flat += target
                gx.reshape(-1)[flat] -= scale  # (1-D fancy indexing is the cheaper kind)
                return gx, None, None
            target = target._data if isinstance(target, Tensor) else target
            safe, w_t, valid = _pick_weights(target, None, ignore_index, x.dtype)
            ctx.denom = w_t.sum(dtype=x.dtype)
            ctx.weight, ctx.eps_ls = None, 0.0
        else:
            x, p, safe, w_t, valid = ctx.saved_tensors
        axis = _class_axis(x)
        if isinstance(g, Tensor):
            p = _ew.exp(_log_softmax_tensor(x, axis))
            safe, w_t, valid = (getattr(v, "_data", v) for v in (safe, w_t, valid))
        q, a = _target_mass(x.shape, x.dtype, axis, safe, w_t, valid, ctx.weight, ctx.eps_ls)
        gx = _scale(ctx, g, x.ndim, axis) * (a * p - q)
        return gx, None, None


def _target_mass(shape, dtype, axis, safe, w_t, valid, weight, eps):
    """q (the target distribution times class weights) and its total a, as constants."""
    q = np.zeros(shape, dtype)
    np.put_along_axis(q, np.expand_dims(safe, axis), np.expand_dims(w_t, axis), axis)
    if eps > 0:
        q *= 1.0 - eps
        wb = 1.0 if weight is None else weight.reshape((-1,) + (1,) * (len(shape) - axis - 1))
        q += (eps / shape[axis]) * wb * np.expand_dims(valid, axis)
    return q, q.sum(axis=axis, keepdims=True)


def _log_softmax_tensor(x, axis):
    """log_softmax from recorded primitives (the double-backward path)."""
    m = x.detach().max(axis=axis, keepdims=True)
    shifted = x - m
    return shifted - _ew.log(_ew.exp(shifted).sum(axis=axis, keepdims=True))


def cross_entropy(x, target, weight=None, ignore_index=-100, label_smoothing=0.0,
                  reduction="mean"):
    """Fused log-softmax + pick over class indices; see `CrossEntropy`."""
    return CrossEntropy.apply(x, target, (weight, ignore_index, label_smoothing, reduction))


# ---------------------------------------------------------------------- NLL
class NLLLoss(Op):
    """loss_i = -w[t_i] * x[i, t_i] (x holds log-probabilities); 0 where t_i == ignore_index.
    'mean' divides by the sum of w[t_i].   gx[i, t_i] = -s_i * w[t_i], 0 elsewhere.

    Shapes: x: (N, C, *) or (C,)  target: (N, *) or ()  ->  () or (N, *)
    """

    _float_constants_ok = True

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        axis = _class_axis(x)
        safe, w_t, _ = _pick_weights(target, weight, ignore_index, x.dtype)
        picked = np.take_along_axis(x, np.expand_dims(safe, axis), axis).squeeze(axis)
        loss = -picked * w_t
        ctx.reduction = reduction
        ctx.shape, ctx.dtype_ = x.shape, x.dtype
        if reduction == "mean":
            ctx.denom = w_t.sum(dtype=x.dtype)
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.asarray(loss.sum() / ctx.denom, dtype=x.dtype)
        else:
            out = _reduce(loss, reduction)
        ctx.save_for_backward(safe, w_t)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        safe, w_t = ctx.saved_tensors
        if isinstance(g, Tensor):
            safe, w_t = safe._data, w_t._data
        axis = 1 if len(ctx.shape) >= 2 else 0
        q = np.zeros(ctx.shape, ctx.dtype_)
        np.put_along_axis(q, np.expand_dims(safe, axis), -np.expand_dims(w_t, axis), axis)
        gx = _scale(ctx, g, len(ctx.shape), axis) * q
        return gx, None, None, None, None


def nll_loss(x, target, weight=None, ignore_index=-100, reduction="mean"):
    return NLLLoss.apply(x, target, weight, ignore_index, reduction)


# ---------------------------------------------------------------------- binary cross-entropy
class BinaryCrossEntropy(Op):
    """loss = -w * (y * max(log x, -100) + (1 - y) * max(log(1 - x), -100)), x in [0, 1].

    gx = w * (x - y) / max(x * (1 - x), 1e-12)
    gy = w * (max(log(1 - x), -100) - max(log x, -100))

    Shapes: x, y: (*)  weight: broadcastable to x or None  ->  () or (*)
    """

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        loss = -(y * log_x + (1.0 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.reduction, ctx.n = reduction, x.size
        ctx.save_for_backward(x, y, weight)
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, weight = ctx.saved_tensors
        nx, ny, nw = ctx.needs_input_grad[:3]
        s = g / ctx.n if ctx.reduction == "mean" else g
        if weight is not None:
            s = s * weight
        gx = gy = gw = None
        if nx:
            gx = s * (x - y) / _clamp_min(x * (1.0 - x), 1e-12)
        if ny or nw:
            log_x = _log_clamped(x)
            log_1mx = _log_clamped(1.0 - x)
            if ny:
                gy = s * (log_1mx - log_x)
            if nw:
                sw = g / ctx.n if ctx.reduction == "mean" else g
                gw = unbroadcast(-sw * (y * log_x + (1.0 - y) * log_1mx), weight.shape)
        return gx, gy, gw, None


def _safe_log(a):
    with np.errstate(divide="ignore"):
        return np.log(a)


_log_clamped = dual(lambda t: _ew.clamp(_ew.log(t), min=-100.0),
                    lambda a: np.maximum(_safe_log(a), -100.0))


def binary_cross_entropy(x, y, weight=None, reduction="mean"):
    return BinaryCrossEntropy.apply(x, y, weight, reduction)


class BinaryCrossEntropyWithLogits(Op):
    """loss = w * ((1 - y) * softplus(x) + pos_weight * y * softplus(-x))  (pos_weight = 1 when
    absent), which equals w * ((1 - y) * x + l_w * softplus(-x)),  l_w = 1 + (pos_weight - 1) y.

    gx = w * ((1 - y) sigmoid(x) - pos_weight y sigmoid(-x)),   gy = w * (-x + (pos_weight - 1) * softplus(-x))
    gpos_weight = w * y * softplus(-x),       gw = the unweighted loss

    Shapes: x, y: (*)  weight: broadcastable to x  pos_weight: broadcastable to x (classes on
    the last axis)  ->  () or (*)
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        # NOTE: (1 - y) softplus(x) + pos_weight * y * softplus(-x): two non-negative terms,
        # so a confident correct logit keeps its tiny loss instead of cancelling to 0.
        tail = np.log1p(np.exp(-np.abs(x)))
        sp_pos, sp_neg = np.maximum(x, 0) + tail, np.maximum(-x, 0) + tail
        loss = (1.0 - y) * sp_pos + (y if pos_weight is None else pos_weight * y) * sp_neg
        if weight is not None:
            loss = loss * weight
        ctx.reduction, ctx.n = reduction, x.size
        ctx.save_for_backward(x, y, weight, pos_weight)
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, weight, pos_weight = ctx.saved_tensors
        nx, ny, nw, npw = ctx.needs_input_grad[:4]
        s = g / ctx.n if ctx.reduction == "mean" else g
        sw = s * weight if weight is not None else s
        gx = gy = gw = gpw = None
        if nx:
            # (1 - y) sigmoid(x) - pos_weight * y * sigmoid(-x): no cancellation at large |x|
            py = y if pos_weight is None else pos_weight * y
            gx = sw * ((1.0 - y) * _sigmoid(x) - py * _sigmoid(-x))
            gx = unbroadcast(gx, x.shape)
        if ny:
            gy = -x if pos_weight is None else -x + (pos_weight - 1.0) * _softplus_neg(x)
            gy = unbroadcast(sw * gy, y.shape)
        if npw:
            gpw = unbroadcast(sw * y * _softplus_neg(x), pos_weight.shape)
        if nw:
            lw = 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * y
            gw = unbroadcast(s * ((1.0 - y) * x + lw * _softplus_neg(x)), weight.shape)
        return gx, gy, gw, gpw, None


def binary_cross_entropy_with_logits(x, y, weight=None, pos_weight=None, reduction="mean"):
    return BinaryCrossEntropyWithLogits.apply(x, y, weight, pos_weight, reduction)
