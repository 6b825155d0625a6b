"""`nn.functional`: the stateless forms of every layer, activation and loss.

Activations are composed from primitives (their double backward comes free) and written so
that no branch of a `where` overflows: a branch that is computed but not selected still
receives a zero gradient, and 0 * inf would be nan. Normalisation, cross-entropy and binary
cross-entropy call the fused nodes in `autograd.ops.norm` / `autograd.ops.losses`. Loss
functions live in `nn/_functional_losses.py` and are re-exported here.
"""
import math
import numbers
import warnings

import numpy as np

import autograd
from autograd import function as _function, versions
from autograd.ops import norm as _norm
from autograd.tensor import Tensor, _make

from . import _ops
from ._functional_losses import *  # noqa: F401,F403
from ._functional_losses import __all__ as _loss_names
from ._functional_attention import multi_head_attention_forward  # noqa: F401
from ._functional_attention import scaled_dot_product_attention  # noqa: F401

from autograd.ops import nn as _nnops
from autograd.ops.conv import conv2d  # noqa: F401
from autograd.ops.conv import conv_transpose2d  # noqa: F401
from autograd.ops.conv import conv3d, conv_transpose3d  # noqa: F401
from autograd.ops.pool import avg_pool2d, max_pool2d  # noqa: F401
from autograd.ops.pool import avg_pool3d, max_pool3d  # noqa: F401

__all__ = [
    "linear", "bilinear", "embedding", "one_hot", "pad", "normalize", "cosine_similarity",
    "pairwise_distance",
    "relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "silu", "mish",
    "softplus", "softsign", "sigmoid", "tanh", "hardtanh", "hardsigmoid", "hardswish",
    "logsigmoid", "tanhshrink", "softshrink", "hardshrink", "threshold", "glu", "swiglu",
    "softmax", "log_softmax", "softmin",
    "dropout", "alpha_dropout", "dropout2d",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "layer_norm", "batch_norm", "rms_norm", "group_norm",
] + list(_loss_names)
__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _const(arr):
    return _make(arr, None)


# ---------------------------------------------------------------------- linear, embedding
def linear(input, weight, bias=None):
    """y = x @ weight.T + bias (one fused node).

    Shapes: input: (*, in)  weight: (out, in)  bias: (out,)  ->  (*, out)
    """
    return _nnops.linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_k = x1 @ weight[k] @ x2 + bias[k].

    Shapes: input1: (*, in1)  input2: (*, in2)  weight: (out, in1, in2)  ->  (*, out)
    """
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    y = autograd.einsum("bi,kij,bj->bk", x1, weight, x2).reshape(lead + (weight.shape[0],))
    return y + bias if bias is not None else y


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` picked by the integer `input`; the `padding_idx` row gets no gradient.

    Shapes: input: (*) integers  weight: (num_embeddings, D)  ->  (*, D)
    """
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for an embedding table with "
                         f"{n} rows")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        _renorm_rows(weight, np.unique(idx), max_norm, norm_type)
    if scale_grad_by_freq:
        raise NotImplementedError("embedding(scale_grad_by_freq=True) is not supported")
    return _ops.embedding(weight, idx % n if idx.size and idx.min() < 0 else idx, padding_idx)


def _renorm_rows(weight, rows, max_norm, norm_type):
    data = weight._data
    norms = np.linalg.norm(data[rows], ord=norm_type, axis=1, keepdims=True)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    data[rows] = data[rows] * scale.astype(data.dtype)
    versions.bump(weight, "embedding_renorm_")


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new last dimension of size `num_classes` (max + 1 if -1)."""
    idx = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError("one_hot is only applicable to index tensor")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        bad = idx[(idx < 0) | (idx >= num_classes)].flat[0]
        raise RuntimeError(f"one_hot: class value {bad} is out of range for num_classes="
                           f"{num_classes}")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return _const(out)


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dimensions: pad = (last_left, last_right, prev_left, ...)."""
    if mode in ("reflect", "replicate", "circular"):
        return _vision.pad_mode(input, pad, mode)
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported (constant, reflect, "
                                  f"replicate, circular)")
    return autograd.pad(input, pad, value=0.0 if value is None else value)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(||x||_p, eps) along `dim`."""
    norm = input.norm(p, dim, keepdim=True)
    return input / norm.clamp_min(eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along `dim`."""
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p along the last dimension."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


# ---------------------------------------------------------------------- activations
def relu(input, inplace=False):
    return autograd.relu(input)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return autograd.where(input._data > 0, input, input * negative_slope)


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight per channel (axis 1) or a single value.

    Shapes: input: (N, C, *) or (*)  weight: (C,) or (1,)  ->  like input
    """
    w = weight
    if weight.numel() > 1:
        if input.ndim < 2 or input.shape[1] != weight.shape[0]:
            raise RuntimeError(f"prelu: weight of shape {tuple(weight.shape)} does not match "
                               f"the channels (dim 1) of input of shape {tuple(input.shape)}")
        w = weight.reshape((weight.shape[0],) + (1,) * (input.ndim - 2))
    return autograd.where(input._data > 0, input, input * w)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    neg = autograd.expm1(autograd.clamp(input, max=0.0)) * alpha
    return autograd.where(input._data > 0, input, neg)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    neg = autograd.expm1(autograd.clamp(input, max=0.0) * (1.0 / alpha)) * alpha
    return autograd.where(input._data > 0, input, neg)


def gelu(input, approximate="none"):
    """x * Phi(x) (exact, with erf) or the tanh approximation (`approximate='tanh'`)."""
    if approximate == "none":
        return input * (autograd.erf(input * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (autograd.tanh(inner) + 1.0) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    """x * sigmoid(x) (Swish)."""
    return input * autograd.sigmoid(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return input * autograd.tanh(softplus(input))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold."""
    return autograd.softplus(input, beta=beta, threshold=threshold)


def softsign(input):
    return input / (autograd.abs(input) + 1.0)


def sigmoid(input):
    return autograd.sigmoid(input)


def tanh(input):
    return autograd.tanh(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return autograd.clamp(input, min_val, max_val)


def hardsigmoid(input, inplace=False):
    """clamp(x / 6 + 1/2, 0, 1)."""
    return autograd.clamp(input * (1.0 / 6.0) + 0.5, 0.0, 1.0)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x)."""
    return input * hardsigmoid(input)


def logsigmoid(input):
    """log(sigmoid(x)) = -softplus(-x), finite for any finite x."""
    return _nnops.logsigmoid(input)


def tanhshrink(input):
    return input - autograd.tanh(input)


def softshrink(input, lambd=0.5):
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    x = input._data
    shrunk = autograd.where(x > 0, input - lambd, input + lambd)
    return autograd.where(np.abs(x) > lambd, shrunk, 0.0)


def hardshrink(input, lambd=0.5):
    return autograd.where(np.abs(input._data) > lambd, input, 0.0)


def threshold(input, threshold, value, inplace=False):
    """x if x > threshold else value."""
    return autograd.where(input._data > threshold, input, value)


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the two halves of `input` along `dim`."""
    if input.shape[dim] % 2:
        raise RuntimeError(f"glu: halving dimension must be even, but dimension {dim} of input "
                           f"of shape {tuple(input.shape)} is size {input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * autograd.sigmoid(b)


def swiglu(input, w_gate, w_up, w_down, b_gate=None, b_up=None, b_down=None):
    """(silu(x W_gate^T) * (x W_up^T)) W_down^T: the SwiGLU feed-forward block.

    Shapes: input: (*, D)  w_gate, w_up: (H, D)  w_down: (D_out, H)  ->  (*, D_out)
    """
    return linear(silu(linear(input, w_gate, b_gate)) * linear(input, w_up, b_up), w_down,
                  b_down)


# ---------------------------------------------------------------------- softmax family
def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along `dim` (stable: the max is subtracted first)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return _nnops.softmax(input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along `dim`."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return _nnops.log_softmax(input, dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim)
    return softmax(-input, dim, dtype=dtype)


# ---------------------------------------------------------------------- dropout
from ._dropout import alpha_dropout, dropout, dropout2d  # noqa: E402,F401


def _as_2d(op1d):
    """A 1-D op on (N, C, L) or (C, L) as its 2-D form on a height-1 image."""
    def run(input, *args, **kwargs):
        if input.ndim not in (2, 3):
            raise RuntimeError(f"{op1d.__name__}: expected a 2-D or 3-D input (N, C, L), got "
                               f"shape {tuple(input.shape)}")
        out = op1d(input.unsqueeze(-2), *args, **kwargs)
        return tuple(o.squeeze(-2) for o in out) if isinstance(out, tuple) else out.squeeze(-2)
    run.__name__ = op1d.__name__
    return run


def _ints1d(value):
    return value if isinstance(value, str) else (1, value if isinstance(value, int) else value[0])


@_as_2d
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation.   Shapes: (N, C, L) or (C, L), weight (O, C / groups, k) ->
    (N, O, OL) or (O, OL)"""
    pad = padding if isinstance(padding, str) else (0, _ints1d(padding)[1])
    return conv2d(input, weight.unsqueeze(-2), bias, _ints1d(stride), pad, _ints1d(dilation),
                  groups)


@_as_2d
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The largest value of each window.   Shapes: (N, C, L) or (C, L) -> (N, C, OL) or (C, OL)"""
    return max_pool2d(input, _ints1d(kernel_size), None if stride is None else _ints1d(stride),
                      (0, _ints1d(padding)[1]), _ints1d(dilation), ceil_mode, return_indices)


@_as_2d
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """The mean of each window.   Shapes: (N, C, L) or (C, L) -> (N, C, OL) or (C, OL)"""
    return avg_pool2d(input, _ints1d(kernel_size), None if stride is None else _ints1d(stride),
                      (0, _ints1d(padding)[1]), ceil_mode, count_include_pad)


@_as_2d
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution.   Shapes: (N, C, L) or (C, L), weight (C, O / groups, k) ->
    (N, O, OL), OL = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1"""
    return conv_transpose2d(input, weight.unsqueeze(-2), bias, _ints1d(stride),
                            (0, _ints1d(padding)[1]), (0, _ints1d(output_padding)[1]), groups,
                            _ints1d(dilation))


__all__ += ["conv_transpose1d", "conv_transpose2d"]
__all__ += ["conv3d", "conv_transpose3d"]
__all__ += ["max_pool3d", "avg_pool3d"]

from ._functional_pooling import *  # noqa: E402,F401,F403
from ._functional_pooling import __all__ as _pooling_names  # noqa: E402

__all__ += list(_pooling_names)

from ._functional_embedding_bag import embedding_bag  # noqa: E402,F401

__all__ += ["embedding_bag"]

from ._functional_ctc import ctc_loss  # noqa: E402,F401

__all__ += ["ctc_loss"]

from . import _functional_vision as _vision  # noqa: E402
from ._functional_vision import *  # noqa: E402,F401,F403

__all__ += list(_vision.__all__)

from ._functional_misc import *  # noqa: E402,F401,F403
from ._functional_misc import __all__ as _misc_names  # noqa: E402

__all__ += list(_misc_names)


# ---------------------------------------------------------------------- normalisation
def _shape_tuple(shape):
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing `normalized_shape` dims
    (biased variance); one fused node.

    Shapes: input: (*, *normalized_shape)  weight, bias: normalized_shape  ->  like input
    """
    ns = _shape_tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(ns):]) != ns or input.ndim < len(ns):
        raise RuntimeError(f"layer_norm: expected input with shape (*, {', '.join(map(str, ns))})"
                           f", but got input of shape {tuple(input.shape)}")
    axes = tuple(range(input.ndim - len(ns), input.ndim))
    return _norm.layer_norm(input, weight, bias, axes, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x**2) + eps) * weight over the trailing dims; eps defaults to the
    dtype's machine epsilon, as PyTorch."""
    ns = _shape_tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(ns):]) != ns or input.ndim < len(ns):
        raise RuntimeError(f"rms_norm: expected input with shape (*, {', '.join(map(str, ns))})"
                           f", but got input of shape {tuple(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    axes = tuple(range(input.ndim - len(ns), input.ndim))
    return _norm.rms_norm(input, weight, axes, eps)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) with the batch statistics (training) or the running ones.

    In training the running statistics, when given, are updated in place:
    running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance.

    Shapes: input: (N, C) or (N, C, *)  running_mean, running_var, weight, bias: (C,)
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, *), got "
                         f"{tuple(input.shape)}")
    if training:
        count = input.numel() // input.shape[1]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(input.shape)}")
        out, mean, var = _norm.batch_norm_train(input, weight, bias, eps)
        if running_mean is not None:
            _update_running(running_mean, mean._data, momentum)
        if running_var is not None:
            _update_running(running_var, var._data * (count / (count - 1)), momentum)
        return out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when not "
                         "training")
    return _norm.batch_norm_eval(input, running_mean, running_var, weight, bias, eps)


def _update_running(stat, batch_value, momentum):
    data = stat._data
    data *= 1.0 - momentum
    data += (momentum * batch_value).astype(data.dtype, copy=False)
    versions.bump(stat, "batch_norm")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of C / num_groups channels over the group and the spatial dims.

    Shapes: input: (N, C, *)  weight, bias: (C,)  ->  like input
    """
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise ValueError(f"group_norm: num_channels {c} is not divisible by num_groups "
                         f"{num_groups}")
    grouped = input.reshape(n, num_groups, -1)
    out = _norm.layer_norm(grouped, None, None, (2,), eps).reshape(input.shape)
    cshape = (c,) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(cshape)
    if bias is not None:
        out = out + bias.reshape(cshape)
    return out


def _anomaly_enabled():
    return _function._Anomaly.enabled

from ._functional_extra import *  # noqa: E402,F401,F403
from ._functional_extra import __all__ as _extra_names  # noqa: E402

__all__ += list(_extra_names)

from ._functional_grid import affine_grid, grid_sample  # noqa: E402,F401

__all__ += ["affine_grid", "grid_sample"]
