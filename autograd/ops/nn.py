"""Fused neural-net primitives: softmax, log_softmax, logsigmoid, softplus, linear.

Each is one node instead of a chain of primitives. # NOTE: softmax/log_softmax/logsigmoid/
softplus are fused for numerical stability (max shift, exp(-|x|) forms); linear is fused for
speed (one BLAS call per gradient, no broadcast bias node).
"""
import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import dual, normalize_dim, promote, to_float
from .elementwise import _exp, _where, sigmoid


def _stable_sigmoid(a):
    e = np.exp(-np.abs(a))
    return (np.where(a >= 0, 1.0, e) / (1.0 + e)).astype(a.dtype, copy=False)


_sigmoid = dual(lambda t: sigmoid(t), _stable_sigmoid)


class Softmax(Op):
    """z = exp(x - max) / sum(exp(x - max)) along dim.   gx = z * (g - sum(g * z, dim))."""

    @staticmethod
    def forward(ctx, x, dim):
        e = np.exp(x - np.amax(x, axis=dim, keepdims=True, initial=-np.inf))
        out = e / np.sum(e, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return out * (g - (g * out).sum(axis=ctx.dim, keepdims=True)), None


class LogSoftmax(Op):
    """z = x - max - log(sum(exp(x - max))) along dim.   gx = g - exp(z) * sum(g, dim)."""

    @staticmethod
    def forward(ctx, x, dim):
        shifted = x - np.amax(x, axis=dim, keepdims=True, initial=-np.inf)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return g - _exp(out) * g.sum(axis=ctx.dim, keepdims=True), None


class LogSigmoid(Op):
    """z = log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)).   gx = g * sigmoid(-x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * _sigmoid(-x)


class Softplus(Op):
    """z = log(1 + exp(beta x)) / beta, or x where beta x > threshold.
    gx = g * sigmoid(beta x), or g above the threshold."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = x * beta
        ctx.args = (beta, threshold)
        ctx.save_for_backward(x)
        soft = np.logaddexp(0, bx) / beta
        return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        beta, threshold = ctx.args
        bx = x * beta
        return g * _where(bx > threshold, 1.0, _sigmoid(bx)), None, None


class Linear(Op):
    """z = x @ W^T + b.   gx = g @ W,  gW = g^T x (batch dims folded),  gb = sum(g over batch).

    Shapes: x: (*, D_in)  weight: (D_out, D_in)  bias: (D_out,)  ->  (*, D_out)
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = g @ weight if nx else None
        gw = gb = None
        if nw or nb:
            g2 = g.reshape((-1, g.shape[-1])) if len(g.shape) != 2 else g
            if nw:
                x2 = x.reshape((-1, x.shape[-1])) if len(x.shape) != 2 else x
                gw = g2.T @ x2
            if nb:
                gb = g2.sum(axis=0)
        return gx, gw, gb


# ---------------------------------------------------------------------- public functions
def softmax(input, dim=None, dtype=None, *, _stacklevel=None):
    x = to_float(input) if dtype is None else input.to(dtype)
    d = normalize_dim(_implicit_dim(x, dim), x.ndim, "softmax") if x.ndim else 0
    if x.ndim == 0:
        return Softmax.apply(x.reshape(1), 0).reshape(())
    return Softmax.apply(x, d)


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=None):
    x = to_float(input) if dtype is None else input.to(dtype)
    if x.ndim == 0:
        return LogSoftmax.apply(x.reshape(1), 0).reshape(())
    return LogSoftmax.apply(x, normalize_dim(_implicit_dim(x, dim), x.ndim, "log_softmax"))


def _implicit_dim(x, dim):
    if dim is not None:
        return dim
    return 0 if x.ndim in (0, 1, 3) else 1  # PyTorch's legacy choice when dim is omitted


def logsigmoid(input):
    return LogSigmoid.apply(to_float(input))


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(to_float(input), float(beta), float(threshold))


def linear(input, weight, bias=None):
    """`input @ weight.T + bias` as one node. weight: (out_features, in_features)."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        raise TypeError(f"linear(): input and weight must be Tensors, got "
                        f"{type(input).__name__} and {type(weight).__name__}")
    xs, ws = input._data.shape, weight._data.shape
    if not xs or not ws or xs[-1] != ws[-1] or len(ws) > 2:
        raise RuntimeError(f"linear: input shape {tuple(xs)} and weight shape {tuple(ws)} "
                           f"cannot be multiplied ({xs[-1] if xs else '?'} != "
                           f"{ws[-1] if ws else '?'})")
    if len(ws) == 1:
        out = input @ weight
        return out + bias if bias is not None else out
    if input._data.dtype != weight._data.dtype:
        input, weight = promote(input, weight)
    if bias is not None:
        bs = bias._data.shape
        if bs != (ws[0],):
            if bs != ():
                raise RuntimeError(f"linear: bias shape {tuple(bs)} does not match "
                                   f"weight shape {tuple(ws)}")
            return Linear.apply(input, weight, None) + bias
        if bias._data.dtype != input._data.dtype:
            bias = bias.to(input._data.dtype)
    return Linear.apply(input, weight, bias)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    prod = mat1 @ mat2
    if alpha != 1:
        prod = prod * alpha
    return (input * beta if beta != 1 else input) + prod
