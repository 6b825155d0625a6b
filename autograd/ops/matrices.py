"""Matrix helpers composed from existing ops: addr, vdot, matrix_power, cov, corrcoef, renorm,
and the pointwise activations prelu and hardshrink (PyTorch has them at the top level too).

Everything here is built from differentiable ops, so none needs a backward of its own.
"""
import warnings

import numpy as np

from ..tensor import Tensor, _make
from ._util import normalize_dim
from .decomp import inv
from .elementwise import abs as _abs, clamp, div, mul, sqrt, sub, where
from .linalg import dot, matmul, outer
from .reduce import norm, sum as _sum
from .shape import broadcast_to, reshape, transpose

__all__ = ["addr", "vdot", "matrix_power", "cov", "corrcoef", "renorm", "prelu", "hardshrink"]


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2); with beta == 0, input is ignored (nan in it
    does not propagate).   Shapes: input: broadcasts to (n, m)  vec1: (n,)  vec2: (m,)."""
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: expected 1-D vectors, got vec1 of shape {tuple(vec1.shape)} "
                           f"and vec2 of shape {tuple(vec2.shape)}")
    prod = outer(vec1, vec2)
    if alpha != 1:
        prod = mul(prod, alpha)
    target = prod.shape
    try:
        expanded = broadcast_to(input, target)
    except RuntimeError:
        raise RuntimeError(f"addr: input of shape {tuple(input.shape)} does not broadcast to "
                           f"the outer product's shape {tuple(target)}") from None
    if beta == 0:
        return prod + mul(expanded, 0.0).detach()
    return (mul(expanded, beta) if beta != 1 else expanded) + prod


def vdot(input, other):
    """The dot product of two 1-D tensors (conjugating the first: the same for real ones)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           f"tensors")
    if input.shape != other.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and "
                           f"src [{other.shape[0]}] to have the same number of elements, but "
                           f"got {input.shape[0]} and {other.shape[0]} elements respectively")
    return dot(input, other)


def matrix_power(input, n):
    """The n-th power of each square matrix (n may be negative: powers of the inverse; n == 0
    gives identities) by repeated squaring.   Shapes: (*, m, m)  ->  (*, m, m)."""
    if input.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {input.shape[-2]} by {input.shape[-1]} matrices")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        eye = np.broadcast_to(np.eye(input.shape[-1], dtype=input.dtype), input.shape)
        # (on the graph with a zero gradient, as PyTorch's)
        return where(np.ones(input.shape, bool), _make(eye.copy(), None), input)
    base = inv(input) if n < 0 else input
    n = abs(int(n))
    result = None
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


# ---------------------------------------------------------------------- statistics
def _weights(w, n, name, integral):
    if w is None:
        return None
    if not isinstance(w, Tensor):
        raise TypeError(f"cov(): {name} must be a Tensor, got {type(w).__name__}")
    if w.ndim > 1 or w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have one element per observation ({n}), "
                           f"got shape {tuple(w.shape)}")
    if integral and w._data.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected fweights to have integral dtype, got "
                           f"{w._data.dtype}")
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")
    return reshape(w, -1)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of `input` (observations in the
    columns; a 1-D input is one variable), with frequency weights `fweights` (integers),
    observation weights `aweights`, and `correction` subtracted from the normaliser
    (sum(w) - correction, or sum(w) - correction * sum(w * aweights) / sum(w) with aweights).
    Shapes: (V, N) or (N,)  ->  (V, V), or a 0-d tensor for one variable."""
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = input if input.ndim == 2 else reshape(input, 1, -1)
    if x._data.dtype.kind != "f":
        from ._util import to_float
        x = to_float(x)
    n = x.shape[1]
    fw = _weights(fweights, n, "fweights", True)
    aw = _weights(aweights, n, "aweights", False)
    w = fw.to(x.dtype) if fw is not None else None
    if aw is not None:
        aw = aw.to(x.dtype)
        w = aw if w is None else mul(w, aw)
    if w is None:
        w_sum = float(n)
        avg = div(_sum(x, 1, keepdim=True), w_sum) if n else _sum(x, 1, keepdim=True) * np.nan
        norm_factor = w_sum - correction
    else:
        w_sum = _sum(w)
        avg = div(_sum(mul(x, w), 1, keepdim=True), w_sum)
        if aw is None:
            norm_factor = sub(w_sum, correction)
        else:
            norm_factor = sub(w_sum, div(mul(_sum(mul(w, aw)), correction), w_sum))
    if float(norm_factor._data if isinstance(norm_factor, Tensor) else norm_factor) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", RuntimeWarning, stacklevel=2)
        norm_factor = 0.0 if not isinstance(norm_factor, Tensor) else mul(norm_factor, 0.0)
    xm = sub(x, avg)
    xw = xm if w is None else mul(xm, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = div(matmul(xw, transpose(xm, 0, 1)), norm_factor)
    return reshape(c, ()) if input.ndim < 2 or input.shape[0] == 1 else c


def corrcoef(input):
    """Pearson correlation coefficients of the rows of `input`, clipped to [-1, 1] as PyTorch.
    Shapes: (V, N) or (N,)  ->  (V, V), or a 0-d tensor for one variable."""
    c = cov(input)
    if c.ndim == 0:
        return div(c, c)
    d = c.diagonal()
    std = sqrt(d)
    c = div(div(c, reshape(std, -1, 1)), reshape(std, 1, -1))
    return clamp(c, -1.0, 1.0)


def renorm(input, p, dim, maxnorm):
    """Each slice along `dim` whose p-norm exceeds `maxnorm` scaled down to norm `maxnorm`
    (factor maxnorm / (norm + 1e-7), as PyTorch; the factor depends on the slice, so it is
    differentiated too)."""
    if not isinstance(p, (int, float)) or p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input._data.ndim == 0:
        raise RuntimeError("renorm: input needs at least 1 dimension, got 0 dimensions")
    d = normalize_dim(dim, input._data.ndim, "renorm")
    others = tuple(a for a in range(input._data.ndim) if a != d)
    norms = norm(input, p, others, keepdim=True) if others else _abs(input)
    factor = where(norms._data > maxnorm, div(maxnorm, norms + 1e-7), 1.0)
    if factor.dtype != input.dtype:
        factor = factor.to(input.dtype)
    return mul(input, factor)


# ---------------------------------------------------------------------- activations
def prelu(input, weight):
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or a single one.
    Shapes: input: (N, C, *) or (*)  weight: (C,) or (1,)  ->  like input."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' must be Tensor, not "
                        f"{type(weight).__name__}")
    w = weight
    if weight.numel() != 1:
        channels = input.shape[1] if input.ndim >= 2 else (input.shape[0] if input.ndim else 1)
        if weight.ndim != 1 or weight.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
        if input.ndim >= 2:
            w = reshape(weight, (channels,) + (1,) * (input.ndim - 2))
    else:
        w = reshape(weight, ())
    return where(input._data > 0, input, mul(input, w))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0 (float tensors)."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"hardshrink_cpu\" not implemented for "
                                  f"'{input._data.dtype}'")
    return where(np.abs(input._data) > lambd, input, 0.0)

