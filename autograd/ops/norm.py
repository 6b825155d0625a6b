"""Fused normalisation ops: layer norm, batch norm (training and eval), RMS norm.

NOTE: each is one node instead of the ~10 primitives (mean, sub, mul, var, sqrt, div, affine)
it would take composed: one forward pass over the data for the statistics, one backward
formula, and the memory of one saved normalised tensor instead of every intermediate. The
first-order backward uses the saved x_hat and 1/std (float intermediates, hence
`_float_constants_ok`); under `create_graph` the statistics are recomputed from the connected
input with recorded primitives and the same formula runs on Tensors, so higher derivatives
are exact.

The shared gradient (x_hat = (x - mean) * rstd over the normalised axes, gy = g * weight):
    gx = rstd * (gy - mean(gy) - x_hat * mean(gy * x_hat))
    gweight = sum over the other axes of g * x_hat,   gbias = sum over the other axes of g
"""
import math

import numpy as np

from ..function import Op
from ..tensor import Tensor
from . import elementwise as _ew
from ._util import dual

__all__ = ["layer_norm", "batch_norm_train", "batch_norm_eval", "rms_norm"]

_rsqrt = dual(_ew.rsqrt, lambda a: 1.0 / np.sqrt(a))


def _stats(x, axes, eps):
    """(x_hat, rstd) over `axes` (keepdims), on arrays or recorded Tensors."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    rstd = _rsqrt(var + eps)
    return xc * rstd, rstd


def _normalized_grad(gy, x_hat, rstd, axes):
    return rstd * (gy - gy.mean(axis=axes, keepdims=True)
                   - x_hat * (gy * x_hat).mean(axis=axes, keepdims=True))


# ---------------------------------------------------------------------- layer norm
class LayerNorm(Op):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the trailing dims `axes`.

    Shapes: x: (*, *normalized_shape)  weight, bias: normalized_shape or None  ->  like x
    """

    _float_constants_ok = True

    @staticmethod
    def forward(ctx, x, weight, bias, axes, eps):
        x_hat, rstd = _stats(x, axes, eps)
        out = x_hat
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        ctx.axes, ctx.eps = axes, eps
        ctx.save_for_backward(x, weight, x_hat, rstd)
        return out if out is not x_hat else x_hat.copy()

    @staticmethod
    def backward(ctx, g):
        x, weight, x_hat, rstd = ctx.saved_tensors
        axes = ctx.axes
        if isinstance(g, Tensor):
            x_hat, rstd = _stats(x, axes, ctx.eps)
        nx, nw, nb = ctx.needs_input_grad[:3]
        outer = tuple(range(x.ndim - len(axes)))
        gx = gw = gb = None
        if nx:
            gy = g * weight if weight is not None else g
            gx = _normalized_grad(gy, x_hat, rstd, axes)
        if nw:
            gw = (g * x_hat).sum(axis=outer) if outer else g * x_hat
        if nb:
            gb = g.sum(axis=outer) if outer else g
        return gx, gw, gb, None, None


def layer_norm(x, weight, bias, axes, eps):
    return LayerNorm.apply(x, weight, bias, axes, eps)


# ---------------------------------------------------------------------- batch norm
def _bn_axes(ndim):
    """Every axis but the channel axis 1; the shape that broadcasts a (C,) vector over it."""
    return (0,) + tuple(range(2, ndim))


def _channel_shape(ndim, c):
    return (1, c) + (1,) * (ndim - 2)


class BatchNormTrain(Op):
    """y = (x - batch_mean) / sqrt(batch_var + eps) * weight + bias, statistics per channel
    (axis 1) over every other axis; batch_var is biased.

    Returns (y, batch_mean, batch_var); the statistics carry no gradient.

    Shapes: x: (N, C) or (N, C, *)  weight, bias: (C,) or None  ->  y like x, stats (C,)
    """

    _float_constants_ok = True

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        axes = _bn_axes(x.ndim)
        cshape = _channel_shape(x.ndim, x.shape[1])
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(var + eps)
        x_hat = xc * rstd
        out = x_hat
        if weight is not None:
            out = out * weight.reshape(cshape)
        if bias is not None:
            out = out + bias.reshape(cshape)
        if out is x_hat:
            out = x_hat.copy()
        ctx.eps = eps
        ctx.save_for_backward(x, weight, x_hat, rstd)
        mean, var = mean.reshape(-1), var.reshape(-1)
        ctx.mark_non_differentiable(mean, var)
        return out, mean, var

    @staticmethod
    def backward(ctx, g):
        x, weight, x_hat, rstd = ctx.saved_tensors
        axes = _bn_axes(x.ndim)
        if isinstance(g, Tensor):
            x_hat, rstd = _stats(x, axes, ctx.eps)
        nx, nw, nb = ctx.needs_input_grad[:3]
        cshape = _channel_shape(x.ndim, x.shape[1])
        # NOTE: the weight is constant over the reduced axes, so the two sums the input
        # gradient needs are the bias and weight gradients themselves: computed once.
        g_sum = g.sum(axis=axes, keepdims=True)
        gx_hat_sum = (g * x_hat).sum(axis=axes, keepdims=True)
        gx = None
        if nx:
            inv_m = x.shape[1] / math.prod(x.shape)
            scale = rstd * weight.reshape(cshape) if weight is not None else rstd
            gx = (g - g_sum * inv_m - x_hat * (gx_hat_sum * inv_m)) * scale
        gw = gx_hat_sum.reshape(-1) if nw else None
        gb = g_sum.reshape(-1) if nb else None
        return gx, gw, gb, None


class BatchNormEval(Op):
    """y = (x - running_mean) / sqrt(running_var + eps) * weight + bias, per channel (axis 1).

    The running statistics are constants here (no gradient flows to them).

    Shapes: x: (N, C) or (N, C, *)  running_mean, running_var, weight, bias: (C,)  ->  like x
    """

    @staticmethod
    def forward(ctx, x, running_mean, running_var, weight, bias, eps):
        cshape = _channel_shape(x.ndim, x.shape[1])
        scale = 1.0 / np.sqrt(running_var + eps)
        if weight is not None:
            scale = scale * weight
        out = (x - running_mean.reshape(cshape)) * scale.reshape(cshape)
        if bias is not None:
            out = out + bias.reshape(cshape)
        ctx.eps = eps
        ctx.save_for_backward(x, running_mean, running_var, weight)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, running_mean, running_var, weight = ctx.saved_tensors
        cshape = _channel_shape(x.ndim, x.shape[1])
        axes = _bn_axes(x.ndim)
        nx, _, _, nw, nb = ctx.needs_input_grad[:5]
        rstd = _rsqrt(running_var + ctx.eps).reshape(cshape)
        gx = gw = gb = None
        if nx:
            gx = g * (rstd * weight.reshape(cshape)) if weight is not None else g * rstd
        if nw:
            gw = (g * ((x - running_mean.reshape(cshape)) * rstd)).sum(axis=axes)
        if nb:
            gb = g.sum(axis=axes)
        return gx, None, None, gw, gb, None


def batch_norm_train(x, weight, bias, eps):
    """(y, batch_mean, batch_var) for a training step; see `BatchNormTrain`."""
    return BatchNormTrain.apply(x, weight, bias, eps)


def batch_norm_eval(x, running_mean, running_var, weight, bias, eps):
    return BatchNormEval.apply(x, running_mean, running_var, weight, bias, eps)


# ---------------------------------------------------------------------- RMS norm
class RMSNorm(Op):
    """y = x / sqrt(mean(x**2) + eps) * weight over the trailing dims `axes`.

    With r = 1 / sqrt(mean(x**2) + eps), x_n = x * r and gy = g * weight:
        gx = r * (gy - x_n * mean(gy * x_n)),   gweight = sum over the other axes of g * x_n

    Shapes: x: (*, *normalized_shape)  weight: normalized_shape or None  ->  like x
    """

    _float_constants_ok = True

    @staticmethod
    def forward(ctx, x, weight, axes, eps):
        r = 1.0 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps)
        out = x * r
        if weight is not None:
            out = out * weight
        ctx.axes, ctx.eps = axes, eps
        ctx.save_for_backward(x, weight, r)
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight, r = ctx.saved_tensors
        axes = ctx.axes
        if isinstance(g, Tensor):
            r = _rsqrt((x * x).mean(axis=axes, keepdims=True) + ctx.eps)
        nx, nw = ctx.needs_input_grad[:2]
        x_n = x * r
        gx = gw = None
        if nx:
            gy = g * weight if weight is not None else g
            gx = r * (gy - x_n * (gy * x_n).mean(axis=axes, keepdims=True))
        if nw:
            outer = tuple(range(x.ndim - len(axes)))
            gw = (g * x_n).sum(axis=outer) if outer else g * x_n
        return gx, gw, None, None


def rms_norm(x, weight, axes, eps):
    return RMSNorm.apply(x, weight, axes, eps)
