"""Loss functions of `nn.functional` (re-exported there); the loss modules wrap them.

Every loss takes `reduction='mean'|'sum'|'none'`. Elementwise losses require input and target
of the same shape and raise a ValueError naming both (PyTorch broadcasts some of them with a
warning; a silent (N, 1) vs (N,) broadcast is a classic bug). Under `autograd.detect_anomaly()`
a target holding nan or inf raises. Cross-entropy with class indices, NLL and both binary
cross-entropies are fused nodes (autograd/ops/losses.py); the rest are composed from primitives
in forms that stay finite at extreme inputs (log-sum-exp, log1p(exp(-|x|))).
"""
import math
import warnings

import numpy as np

import autograd
from autograd import function as _function
from autograd.ops import losses as _losses
from autograd.tensor import Tensor, _make

__all__ = [
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
    "poisson_nll_loss", "gaussian_nll_loss", "hinge_embedding_loss", "multi_margin_loss",
    "margin_ranking_loss", "cosine_embedding_loss", "triplet_margin_loss", "soft_margin_loss",
    "sigmoid_focal_loss", "focal_loss", "log_cosh_loss", "quantile_loss", "dice_loss", "js_div",
    "contrastive_loss",
]

_REDUCTIONS = ("none", "mean", "sum")


# ---------------------------------------------------------------------- helpers
def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction "
                  "instead.", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check_reduction(name, reduction, extra=()):
    if reduction not in _REDUCTIONS and reduction not in extra:
        raise ValueError(f"{name}: {reduction!r} is not a valid value for reduction; expected "
                         f"one of {', '.join(map(repr, _REDUCTIONS + tuple(extra)))}")


def _as_tensor(x, like=None):
    if isinstance(x, Tensor):
        if like is not None and x.dtype != like.dtype and x.dtype.kind == "f" \
                and like.dtype.kind == "f":
            return x.to(like.dtype)
        return x
    arr = np.asarray(x)
    if like is not None and arr.dtype.kind in "fiub" and like.dtype.kind == "f":
        arr = arr.astype(like.dtype)
    return _make(arr, None)


def _check_shapes(name, input, target, what="target"):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{name}: input shape {tuple(input.shape)} and {what} shape "
                         f"{tuple(target.shape)} differ; they must be equal (reshape one of "
                         f"them, e.g. target.view(-1, 1) or input.squeeze(-1))")


def _check_finite_target(name, target):
    if _function._Anomaly.enabled:
        arr = target._data
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            bad = "nan" if np.isnan(arr).any() else "inf"
            raise RuntimeError(f"{name}: the target contains {bad} values (found by "
                               f"detect_anomaly)")


def _prepare(name, input, target, reduction, same_shape=True):
    _check_reduction(name, reduction)
    target = _as_tensor(target, input)
    if same_shape:
        _check_shapes(name, input, target)
    _check_finite_target(name, target)
    return target


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _softplus(x):
    """log(1 + exp(x)), finite for every finite x (the fused, stable softplus node)."""
    return autograd.softplus(x)


def _array(x, dtype=None):
    if x is None:
        return None
    arr = x._data if isinstance(x, Tensor) else np.asarray(x)
    return arr.astype(dtype, copy=False) if dtype is not None else arr


# ---------------------------------------------------------------------- regression
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target) ** 2."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("mse_loss", input, target, reduction)
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """|input - target|."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("l1_loss", input, target, reduction)
    return _reduce(autograd.abs(input - target), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d**2 if |d| < delta else delta * (|d| - 0.5 delta), d = input - target."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target = _prepare("huber_loss", input, target, reduction)
    d = input - target
    ad = autograd.abs(d)
    loss = autograd.where(ad._data < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d**2 / beta if |d| < beta else |d| - 0.5 beta (beta = 0 gives L1)."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("smooth_l1_loss", input, target, reduction)
    d = input - target
    ad = autograd.abs(d)
    if beta == 0:
        return _reduce(ad, reduction)
    loss = autograd.where(ad._data < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction)


def log_cosh_loss(input, target, reduction="mean"):
    """log(cosh(d)) = |d| + log1p(exp(-2|d|)) - log 2: quadratic near 0, linear in the tails,
    finite for any finite d."""
    target = _prepare("log_cosh_loss", input, target, reduction)
    ad = autograd.abs(input - target)
    loss = ad + autograd.log1p(autograd.exp(ad * -2.0)) - math.log(2.0)
    return _reduce(loss, reduction)


def quantile_loss(input, target, quantile=0.5, reduction="mean"):
    """Pinball loss: max(q * d, (q - 1) * d), d = target - input; q = 0.5 is half the L1."""
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile_loss: quantile must be in (0, 1), got {quantile}")
    target = _prepare("quantile_loss", input, target, reduction)
    d = target - input
    loss = autograd.where(d._data >= 0, d * quantile, d * (quantile - 1.0))
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(x) - y * x (log_input) or x - y * log(x + eps); `full` adds Stirling's term
    y log y - y + 0.5 log(2 pi y) where y > 1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("poisson_nll_loss", input, target, reduction)
    if log_input:
        loss = autograd.exp(input) - target * input
    else:
        loss = input - target * autograd.log(input + eps)
    if full:
        y = target._data
        safe = np.where(y > 1, y, 1.0)
        stirling = np.where(y > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe),
                            0.0)
        loss = loss + _make(stirling.astype(loss.dtype), None)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(max(var, eps)) + (input - target)**2 / max(var, eps)) (+ 0.5 log(2 pi)).

    `var` has the input's shape, or one dimension fewer, or a last dimension of 1
    (homoscedastic). As PyTorch, the clamp at eps does not stop the gradient to var.
    """
    _check_reduction("gaussian_nll_loss", reduction)
    target = _as_tensor(target, input)
    _check_shapes("gaussian_nll_loss", input, target)
    _check_finite_target("gaussian_nll_loss", target)
    var = _as_tensor(var, input)
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1):
            raise ValueError(f"gaussian_nll_loss: var of shape {tuple(var.shape)} does not "
                             f"match input of shape {tuple(input.shape)}")
    if (var._data < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    clamped = var + _make(np.maximum(var._data, eps) - var._data, None)
    d = input - target
    loss = (autograd.log(clamped) + d * d / clamped) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------- classification
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w * (y log x + (1 - y) log(1 - x)) on probabilities x, each log clamped at -100."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("binary_cross_entropy", input, target, reduction)
    x = input._data
    if x.size and (x.min() < 0 or x.max() > 1 or np.isnan(x).any()):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 "
                           "and 1 (pass logits to binary_cross_entropy_with_logits instead)")
    if weight is not None:
        weight = _as_tensor(weight, input)
    return _losses.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """BCE on sigmoid(input) computed from the logits without overflow (one fused node).

    `pos_weight` (broadcast along the last dim, one per class) multiplies the positive term.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("binary_cross_entropy_with_logits", input, target, reduction)
    if weight is not None:
        weight = _as_tensor(weight, input)
    if pos_weight is not None:
        pos_weight = _as_tensor(pos_weight, input)
    return _losses.binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                    reduction)


def _class_target_shape_ok(input, target):
    xs, ts = input._data.shape, target._data.shape
    if len(xs) == 1:
        return ts == ()
    return ts == xs[:1] + xs[2:]


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy from logits, over class dim 1 ((C,) inputs are unbatched).

    `target` holds class indices (shape (N, d1, ...)), fused into one node with the
    log-softmax, or class probabilities (the input's shape). `weight` rescales classes,
    `ignore_index` skips targets, `label_smoothing` mixes the target with the uniform
    distribution. 'mean' divides by the total weight of the non-ignored targets.

    Shapes: input: (N, C, *) or (C,)  target: (N, *) indices or (N, C, *) probabilities
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    target = _as_tensor(target)
    class_dim = 1 if input.ndim >= 2 else 0
    n_classes = input.shape[class_dim]
    w = _array(weight, input.dtype)
    if w is not None and w.shape != (n_classes,):
        raise ValueError(f"cross_entropy: weight of shape {w.shape} does not match the "
                         f"{n_classes} classes of input of shape {tuple(input.shape)}")
    if target.dtype.kind == "f":
        _check_shapes("cross_entropy", input, target, "probability target")
        _check_finite_target("cross_entropy", target)
        logp = autograd.log_softmax(input, class_dim)
        t = target
        if label_smoothing > 0:
            t = t * (1.0 - label_smoothing) + label_smoothing / n_classes
        if w is not None:
            t = t * _make(w.reshape((-1,) + (1,) * (input.ndim - class_dim - 1)), None)
        loss = -(logp * t).sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() // n_classes)
        return _reduce(loss, reduction)
    if not _class_target_shape_ok(input, target):
        want = (input.shape[0],) + tuple(input.shape[2:]) if input.ndim > 1 else ()
        raise ValueError(f"cross_entropy: class-index target of shape {tuple(target.shape)} "
                         f"does not match input of shape {tuple(input.shape)}; expected target "
                         f"shape {want}")
    t = target._data
    ignored = _losses.check_class_targets(t, n_classes, ignore_index, "cross_entropy")
    return _losses.cross_entropy(input, t, w, ignore_index if ignored else None,
                                 float(label_smoothing), reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-w[t] * input[t] on log-probabilities (the output of log_softmax); one node.

    Shapes: input: (N, C, *) or (C,)  target: (N, *) class indices
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("nll_loss", reduction)
    target = _as_tensor(target)
    class_dim = 1 if input.ndim >= 2 else 0
    n_classes = input.shape[class_dim]
    if not _class_target_shape_ok(input, target):
        raise ValueError(f"nll_loss: target of shape {tuple(target.shape)} does not match "
                         f"input of shape {tuple(input.shape)}")
    t = target._data
    ignored = _losses.check_class_targets(t, n_classes, ignore_index, "nll_loss")
    return _losses.nll_loss(input, t, _array(weight, input.dtype),
                            ignore_index if ignored else None, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) pointwise: target * (log target - input), 0 where target == 0.

    `input` holds log-probabilities; `log_target` says `target` does too. 'batchmean' divides
    the sum by the batch size (the mathematically correct KL); 'mean' divides by the number of
    elements, as PyTorch does.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("kl_div", reduction, ("batchmean",))
    target = _as_tensor(target, input)
    _check_shapes("kl_div", input, target)
    _check_finite_target("kl_div", target) if not log_target else None
    if log_target:
        loss = autograd.exp(target) * (target - input)
    else:
        loss = _xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def _xlogy(t):
    """t * log(t) with 0 where t == 0 (and no nan in the gradient there)."""
    pos = t._data > 0
    safe = autograd.where(pos, t, 1.0)
    return autograd.where(pos, t * autograd.log(safe), 0.0)


def js_div(input, target, reduction="batchmean", log_target=False):
    """Jensen-Shannon divergence 0.5 KL(p || m) + 0.5 KL(q || m), m = (p + q) / 2, with
    p = exp(input) (log-probabilities, as kl_div) and q = target (or exp(target)). Symmetric and
    bounded by log 2 per distribution.
    """
    _check_reduction("js_div", reduction, ("batchmean",))
    target = _as_tensor(target, input)
    _check_shapes("js_div", input, target)
    p = autograd.exp(input)
    q = autograd.exp(target) if log_target else target
    m = (p + q) * 0.5
    pos = m._data > 0
    log_m = autograd.log(autograd.where(pos, m, 1.0))
    log_q = target if log_target else autograd.log(autograd.where(q._data > 0, q, 1.0))
    loss = (autograd.where(p._data > 0, p * (input - log_m), 0.0)
            + autograd.where(q._data > 0, q * (log_q - log_m), 0.0)) * 0.5
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction)


def sigmoid_focal_loss(input, target, alpha=0.25, gamma=2.0, reduction="none"):
    """Binary focal loss from logits (Lin et al., 2017), as torchvision's function:
    BCE(x, y) * (1 - p_t) ** gamma * alpha_t, p_t = p y + (1 - p)(1 - y), alpha_t = alpha y +
    (1 - alpha)(1 - y) (no alpha term when alpha < 0). Default reduction 'none', as torchvision.
    """
    target = _prepare("sigmoid_focal_loss", input, target, reduction)
    p = autograd.sigmoid(input)
    ce = _losses.binary_cross_entropy_with_logits(input, target, None, None, "none")
    one_minus_pt = p + target - p * target * 2.0  # 1 - p_t
    loss = ce * one_minus_pt ** gamma if gamma != 0 else ce
    if alpha >= 0:
        loss = loss * (target * alpha + (1.0 - target) * (1.0 - alpha))
    return _reduce(loss, reduction)


def focal_loss(input, target, gamma=2.0, weight=None, ignore_index=-100, reduction="mean"):
    """Multi-class focal loss from logits: -(1 - p_t) ** gamma * log p_t * w[t], with
    log p_t from the fused cross-entropy and 1 - p_t = -expm1(log p_t) (no cancellation).
    'mean' averages over the non-ignored targets.

    Shapes: input: (N, C, *)  target: (N, *) class indices
    """
    _check_reduction("focal_loss", reduction)
    nll = cross_entropy(input, target, ignore_index=ignore_index, reduction="none")
    one_minus_pt = -autograd.expm1(-nll)
    loss = nll * one_minus_pt ** gamma if gamma != 0 else nll
    t = _as_tensor(target)._data
    valid = t != ignore_index
    if weight is not None:
        w = _array(weight, input.dtype)
        loss = loss * _make(np.where(valid, w[np.where(valid, t, 0)], 0).astype(input.dtype),
                            None)
    if reduction == "mean":
        return loss.sum() / max(int(valid.sum()), 1)
    return _reduce(loss, reduction)


def dice_loss(input, target, smooth=1.0, reduction="mean"):
    """1 - (2 sum(x y) + smooth) / (sum(x) + sum(y) + smooth) per sample, summing over every
    dim but the first; `input` holds probabilities (apply sigmoid/softmax first)."""
    target = _prepare("dice_loss", input, target, reduction)
    if input.ndim < 2:
        raise ValueError(f"dice_loss: expected input of shape (N, *), got {tuple(input.shape)}")
    dims = tuple(range(1, input.ndim))
    inter = (input * target).sum(dims)
    total = input.sum(dims) + target.sum(dims)
    loss = 1.0 - (inter * 2.0 + smooth) / (total + smooth)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------- margins and embeddings
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """x where y == 1, max(0, margin - x) where y == -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("hinge_embedding_loss", input, target, reduction)
    y = target._data
    margin_part = autograd.where(y != 1, autograd.clamp(-input + margin, min=0.0), 0.0)
    self_part = autograd.where(y != -1, input, 0.0)
    return _reduce(margin_part + self_part, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """sum over j != y of max(0, margin - x[y] + x[j]) ** p / C (times weight[y]).

    Shapes: input: (N, C) or (C,)  target: (N,) or () class indices
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("multi_margin_loss", reduction)
    if p not in (1, 2):
        raise ValueError("multi_margin_loss: only p == 1 and p == 2 supported")
    target = _as_tensor(target)
    n_classes = input.shape[-1]
    if not _class_target_shape_ok(input, target) or input.ndim > 2:
        raise ValueError(f"multi_margin_loss: target of shape {tuple(target.shape)} does not "
                         f"match input of shape {tuple(input.shape)}")
    t = target._data
    _losses.check_class_targets(t, n_classes, None, "multi_margin_loss")
    onehot = np.zeros(input.shape, input.dtype)
    np.put_along_axis(onehot, t[..., None], 1, axis=-1)
    x_y = (input * _make(onehot, None)).sum(-1, keepdim=True)
    z = autograd.clamp(input - x_y + margin, min=0.0)
    if p == 2:
        z = z * z
    z = z * _make(1 - onehot, None)
    if weight is not None:
        z = z * _make(_array(weight, input.dtype)[t][..., None], None)
    return _reduce(z.sum(-1) / n_classes, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -y * (x1 - x2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("margin_ranking_loss", input1, target, reduction)
    _check_shapes("margin_ranking_loss", input1, input2, "input2")
    return _reduce(autograd.clamp(-target * (input1 - input2) + margin, min=0.0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-y x)), computed stably."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _prepare("soft_margin_loss", input, target, reduction)
    return _reduce(_softplus(-(target * input)), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1; cosine over
    the last dim with 1e-12 added to each squared norm (as PyTorch).

    Shapes: input1, input2: (N, D) or (D,)  target: (N,) or ()
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("cosine_embedding_loss", reduction)
    _check_shapes("cosine_embedding_loss", input1, input2, "input2")
    target = _as_tensor(target, input1)
    if tuple(target.shape) != tuple(input1.shape[:-1]):
        raise ValueError(f"cosine_embedding_loss: target of shape {tuple(target.shape)} does not "
                         f"match inputs of shape {tuple(input1.shape)}")
    eps = 1e-12
    prod = (input1 * input2).sum(-1)
    mag = ((input1 * input1).sum(-1) + eps) * ((input2 * input2).sum(-1) + eps)
    cos = prod / autograd.sqrt(mag)
    y = target._data
    loss = autograd.where(y == 1, 1.0 - cos, 0.0) + \
        autograd.where(y == -1, autograd.clamp(cos - margin, min=0.0), 0.0)
    return _reduce(loss, reduction)


def _pairwise_distance(x1, x2, p, eps):
    return (x1 - x2 + eps).norm(p, -1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0), d(u, v) = ||u - v + eps||_p; `swap` uses
    min(d(a, n), d(p, n)) (Balntas et al., 2016).

    Shapes: anchor, positive, negative: (N, D) or (D,)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("triplet_margin_loss", reduction)
    _check_shapes("triplet_margin_loss", anchor, positive, "positive")
    _check_shapes("triplet_margin_loss", anchor, negative, "negative")
    d_ap = _pairwise_distance(anchor, positive, p, eps)
    d_an = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_an = autograd.minimum(d_an, _pairwise_distance(positive, negative, p, eps))
    return _reduce(autograd.clamp(d_ap - d_an + margin, min=0.0), reduction)


def contrastive_loss(input1, input2, target, margin=1.0, eps=1e-6, reduction="mean"):
    """y * d**2 + (1 - y) * max(0, margin - d)**2 with d = ||x1 - x2 + eps||_2 and y = 1 for
    similar pairs, 0 for dissimilar ones (Hadsell, Chopra & LeCun, 2006).

    Shapes: input1, input2: (N, D)  target: (N,)
    """
    _check_reduction("contrastive_loss", reduction)
    _check_shapes("contrastive_loss", input1, input2, "input2")
    target = _as_tensor(target, input1)
    if tuple(target.shape) != tuple(input1.shape[:-1]):
        raise ValueError(f"contrastive_loss: target of shape {tuple(target.shape)} does not "
                         f"match inputs of shape {tuple(input1.shape)}")
    _check_finite_target("contrastive_loss", target)
    d = _pairwise_distance(input1, input2, 2, eps)
    gap = autograd.clamp(-d + margin, min=0.0)
    loss = target * d * d + (1.0 - target) * gap * gap
    return _reduce(loss, reduction)
