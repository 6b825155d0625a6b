"""In-place activations, randomised activations, pairwise distances, the remaining margin
losses, power-average pooling and channel dropout of 3-D / feature maps (re-exported by
`nn.functional`). Everything is composed from differentiable ops: no backward of its own.

The in-place variants (`relu_`, `elu_`, ...) write the out-of-place result back into the
input's array through `autograd.inplace.apply_inplace`, so they follow the same rules as
`Tensor.add_`: a leaf that requires grad raises, a recorded tensor takes the new node.
"""
import math
import warnings

import numpy as np

import autograd
from autograd.inplace import apply_inplace
from autograd.ops import nn as _nnops
from autograd.ops.pool import adaptive_max_pool2d, avg_pool2d, max_pool2d
from autograd.random import _generator
from autograd.tensor import Tensor, _make

from ._functional_losses import _check_reduction, _legacy_reduction, _reduce

__all__ = ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "threshold_",
           "rrelu", "rrelu_", "gumbel_softmax", "pdist", "triplet_margin_with_distance_loss",
           "multilabel_margin_loss", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "lp_pool1d",
           "lp_pool2d", "feature_alpha_dropout", "dropout3d"]


def _F():
    from . import functional
    return functional


# ---------------------------------------------------------------------- in-place activations
def relu_(input):
    """In-place `relu`: writes max(0, x) into `input` and returns it."""
    return apply_inplace(input, "relu_", _F().relu)


def elu_(input, alpha=1.0):
    """In-place `elu`."""
    return apply_inplace(input, "elu_", lambda x: _F().elu(x, alpha))


def leaky_relu_(input, negative_slope=0.01):
    """In-place `leaky_relu`."""
    return apply_inplace(input, "leaky_relu_", lambda x: _F().leaky_relu(x, negative_slope))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place `hardtanh`: clamps `input` to [min_val, max_val]."""
    return apply_inplace(input, "hardtanh_", lambda x: _F().hardtanh(x, min_val, max_val))


def selu_(input):
    """In-place `selu`."""
    return apply_inplace(input, "selu_", _F().selu)


def celu_(input, alpha=1.0):
    """In-place `celu`."""
    return apply_inplace(input, "celu_", lambda x: _F().celu(x, alpha))


def threshold_(input, threshold, value):
    """In-place `threshold`: x where x > threshold, else value."""
    return apply_inplace(input, "threshold_", lambda x: _F().threshold(x, threshold, value))


# ---------------------------------------------------------------------- randomised ReLU
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomised leaky ReLU (Xu et al., 2015): x where x > 0, else a * x.

    In training each element draws its own slope a ~ U(lower, upper) from autograd's global
    generator (the gradient there is that a); in eval a = (lower + upper) / 2 for all.

    Shapes: (*) -> (*)
    """
    if lower > upper:
        raise RuntimeError(f"Lower bound should be less than or equal to the upper bound, got "
                           f"lower={lower}, upper={upper}")
    if inplace:
        return rrelu_(input, lower, upper, training)
    return _rrelu(input, lower, upper, training)


def _rrelu(input, lower, upper, training):
    if not training:
        return _F().leaky_relu(input, (lower + upper) / 2)
    x = input._data
    noise = np.ones(x.shape, input.dtype)
    negative = x <= 0      # one slope per non-positive element, in order, as PyTorch draws them
    bounds = [float(input.dtype.type(b)) for b in (lower, upper)]   # the bounds in the dtype
    noise[negative] = _generator(None).uniform((int(negative.sum()),), *bounds, np.float64)
    return input * _make(noise, None)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place `rrelu`."""
    if lower > upper:
        raise RuntimeError(f"Lower bound should be less than or equal to the upper bound, got "
                           f"lower={lower}, upper={upper}")
    return apply_inplace(input, "rrelu_", lambda x: _rrelu(x, lower, upper, training))


# ---------------------------------------------------------------------- gumbel softmax
def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax (concrete) distribution: softmax((logits + g) / tau)
    with g = -log(E), E ~ Exp(1) drawn from autograd's global generator.

    With `hard` the result is the one-hot vector of the argmax in the forward pass but has the
    soft sample's gradient (straight-through: y_hard - y_soft.detach() + y_soft).

    Shapes: (*) -> (*)
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if logits.dtype.kind != "f":
        raise RuntimeError(f"gumbel_softmax: logits must have a floating dtype, got "
                           f"{logits.dtype}")
    gumbels = -np.log(_generator(None).exponential(logits.shape, 1.0).astype(logits.dtype))
    y_soft = _nnops.softmax((logits + _make(gumbels, None)) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft._data.argmax(axis=dim)
    y_hard = np.zeros(y_soft.shape, logits.dtype)
    np.put_along_axis(y_hard, np.expand_dims(index, dim), 1.0, axis=dim)
    return _make(y_hard, None) - y_soft.detach() + y_soft


# ---------------------------------------------------------------------- distances
def pdist(input, p=2):
    """The p-norm distance between every pair of rows, in the order of the upper triangle:
    ||x_i - x_j||_p for i < j. A pair of equal rows has distance 0 and gradient 0.

    Shapes: (N, M) -> (N (N - 1) / 2,)
    """
    if not isinstance(input, Tensor) or input.ndim != 2:
        got = input.ndim if isinstance(input, Tensor) else np.ndim(input)
        raise RuntimeError(f"pdist only supports 2D tensors, got: {got}D")
    if input.dtype.kind != "f":
        raise RuntimeError(f"pdist only supports floating-point dtypes, got {input.dtype}")
    if p < 0:
        raise RuntimeError(f"pdist only supports non-negative p values, got p={p}")
    i, j = np.triu_indices(input.shape[0], 1)
    diff = input[i] - input[j]
    # NOTE: a p-norm's gradient at 0 is 0/0 for p > 1; feed equal pairs a dummy 1 instead and
    # mask them out (a branch that is not selected gets a zero gradient, not nan).
    same = np.all(diff._data == 0, axis=1)
    if p in (0, 1, 2) or not same.any():
        return diff.norm(p, dim=1)
    safe = autograd.where(_make(same[:, None], None), 1.0, diff)
    return autograd.where(_make(same, None), 0.0, safe.norm(p, dim=1))


# ---------------------------------------------------------------------- losses
def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with any distance d (default `pairwise_distance`);
    with `swap`, d(a, n) is replaced by min(d(a, n), d(p, n)).

    Shapes: anchor, positive, negative: (N, D) or (D,)  ->  () or (N,) with reduction='none'
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {dims[0]}D, "
                           f"positive {dims[1]}D, and negative {dims[2]}D inputs")
    if distance_function is None:
        distance_function = _F().pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = autograd.minimum(dist_neg, distance_function(positive, negative))
    loss = autograd.clamp_min(dist_pos - dist_neg + margin, 0)
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss: for each sample,
    sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C.

    `target` holds class indices in [-1, C), read up to the first -1 (the rest is ignored).

    Shapes: input: (C,) or (N, C)  target: the same shape, int64  ->  () or (N,) with
    reduction='none' (() for 1-D input)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction("multilabel_margin_loss", reduction)
    tgt = target._data if isinstance(target, Tensor) else np.asarray(target)
    if tgt.dtype != np.int64:
        raise RuntimeError(f"multilabel_margin_loss: expected scalar type Long but found "
                           f"{tgt.dtype} (target)")
    if tgt.shape != tuple(input.shape) or input.ndim > 2:
        raise RuntimeError(f"inconsistent target size: {list(tgt.shape)} for input of size: "
                           f"{list(input.shape)}")
    x = input.reshape(-1, input.shape[-1] if input.ndim else 1)
    t = tgt.reshape(x.shape)
    n, c = x.shape
    valid = np.cumprod(t != -1, axis=1).astype(bool)  # the prefix before the first -1
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError(f"multilabel_margin_loss: argument #2 'target' is out of range: "
                           f"class indices must lie in [-1, {c}), got values from {t.min()} to "
                           f"{t.max()}")
    picked = np.where(valid, t, 0)
    is_target = np.zeros((n, c + 1), bool)  # column c collects the ignored entries
    np.put_along_axis(is_target, np.where(valid, t, c), True, axis=1)
    is_target = is_target[:, :c]
    x_target = x.gather(1, _make(picked, None))                    # (N, C): x[y_j]
    hinge = autograd.clamp_min(1.0 - x_target.unsqueeze(2) + x.unsqueeze(1), 0)  # (N, j, i)
    mask = (valid[:, :, None] & ~is_target[:, None, :]).astype(input.dtype)
    loss = (hinge * _make(mask, None)).sum((1, 2)) / c
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------- pooling
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """`max_pool1d` that always returns (values, indices)."""
    return _F().max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """`max_pool2d` that always returns (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """`adaptive_max_pool1d` that always returns (values, indices)."""
    return _F().adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """`adaptive_max_pool2d` that always returns (values, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def _lp_finish(out, norm_type, window):
    # NOTE: sign(s) * relu(|s|) is s itself, but as in PyTorch it makes the gradient of an
    # all-zero window 0 rather than inf * 0.
    return (autograd.sign(out) * _F().relu(autograd.abs(out)) * window) ** (1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over each window of x^p)^(1/p); p = inf is max |x|.

    Shapes: (N, C, L) or (C, L) -> (N, C, OL) or (C, OL)
    """
    F = _F()
    if norm_type == math.inf:
        return F.max_pool1d(autograd.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -F.max_pool1d(-autograd.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    out = F.avg_pool1d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    k = kernel_size if isinstance(kernel_size, int) else int(np.prod(kernel_size))
    return _lp_finish(out, norm_type, k)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over each window of x^p)^(1/p); p = inf is max |x|.

    Shapes: (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW)
    """
    if norm_type == math.inf:
        return max_pool2d(autograd.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool2d(-autograd.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out = avg_pool2d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kh * kw)


# ---------------------------------------------------------------------- channel dropout
from ._dropout import dropout3d, feature_alpha_dropout  # noqa: E402,F401
