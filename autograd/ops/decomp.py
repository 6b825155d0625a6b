"""Matrix functions with hand-written gradients: inv, det, slogdet, solve, cholesky, svdvals.

All work on batches (*, n, n). Backward formulas are written with matmul, transposes and these
same functions, so they also run on Tensors and give second derivatives (svdvals excepted).
Singular or non-positive-definite input raises `LinAlgError` (a RuntimeError), as PyTorch.
"""
import collections

import numpy as np

from ..function import Op
from ..tensor import Tensor
from ._util import dual, to_float
from .sort import tril

__all__ = ["LinAlgError", "inv", "inverse", "det", "slogdet", "logdet", "solve", "cholesky",
           "cholesky_legacy", "svdvals"]

SlogdetResult = collections.namedtuple("return_types", ["sign", "logabsdet"])


class LinAlgError(RuntimeError):
    """A matrix was singular (or not positive-definite) where the operation needs it not to be."""


def _mT(a):
    return a.swapaxes(-1, -2)


def _inv_array(a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.inv: The diagonal element is zero, the inversion could not be "
                          "completed because the input matrix is singular.") from None


_inv = dual(lambda t: Inv.apply(t), _inv_array)


class Inv(Op):
    """Z = A^-1.   gA = -Z^T g Z^T.   Shapes: (*, n, n) -> (*, n, n)."""

    @staticmethod
    def forward(ctx, a):
        out = _inv_array(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        zt = _mT(z)
        return -(zt @ g @ zt)


def _others_product(s):
    """For each singular value, the product of the others (exact with zeros)."""
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    left = np.cumprod(np.concatenate([ones, s[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, s[..., :0:-1]], -1), -1)[..., ::-1]
    return left * right


def _adjugate_t(a):
    """adj(A)^T, the gradient of det(A), from an SVD so that it is right for singular A too:
    adj(A) = det(U) det(V^T) V diag(prod_{j != i} s_j) U^T."""
    u, s, vh = np.linalg.svd(a)
    scale = np.linalg.det(u) * np.linalg.det(vh)
    adj = (_mT(vh) * _others_product(s)[..., None, :]) @ _mT(u)
    return _mT(adj) * scale[..., None, None]


class Det(Op):
    """z = det(A).   gA = g * adj(A)^T (= g * z * A^-T when A is invertible).
    Shapes: (*, n, n) -> (*)."""

    @staticmethod
    def forward(ctx, a):
        out = np.linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if isinstance(a, np.ndarray):
            return (g.reshape(g.shape + (1, 1)) * _adjugate_t(a)).astype(a.dtype, copy=False)
        # double backward: the invertible formula, written in differentiable ops
        return (g * out).reshape(g.shape + (1, 1)) * _mT(_inv(a))


class Slogdet(Op):
    """sign, logabsdet = slogdet(A).   gA = g_logabsdet * A^-T (sign has no gradient).
    Shapes: (*, n, n) -> (*), (*)."""

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        sign = np.asarray(sign, a.dtype)
        ctx.mark_non_differentiable(sign)
        ctx.save_for_backward(a)
        return sign, np.asarray(logabs, a.dtype)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g.reshape(g.shape + (1, 1)) * _mT(_inv(a))


def _solve_array(a, b):
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.") from None


_solve = dual(lambda t, b: Solve.apply(t, b), _solve_array)


class Solve(Op):
    """X = A^-1 B.   gB = A^-T g,  gA = -gB X^T.
    Shapes: A: (*, n, n)  B: (*, n, k)  ->  (*, n, k) (equal batch dims)."""

    @staticmethod
    def forward(ctx, a, b):
        out = _solve_array(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = _solve(_mT(a), g)
        ga = -(gb @ _mT(x)) if ctx.needs_input_grad[0] else None
        return ga, gb if ctx.needs_input_grad[1] else None


class Cholesky(Op):
    """L = cholesky(A) (lower, A = L L^T, only A's lower triangle is read).
    gA = L^-T P L^-1 with P = (T + tril(T, -1)^T) / 2, T = tril(L^T g)  (Murray, 2016; the
    symmetric gradient PyTorch returns).   Shapes: (*, n, n) -> (*, n, n)."""

    @staticmethod
    def forward(ctx, a):
        try:
            out = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.cholesky: The factorization could not be completed "
                              f"because the input is not positive-definite (input of shape "
                              f"{tuple(a.shape)}).") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        lo, = ctx.saved_tensors
        t = _tril(_mT(lo) @ g, 0)
        p = (t + _mT(_tril(t, -1))) * 0.5
        li = _inv(lo)
        return _mT(li) @ p @ li


_tril = dual(lambda t, k: tril(t, k), lambda a, k: np.tril(a, k))


class Svdvals(Op):
    """s = singular values of A (descending).   gA = U diag(g) V^T (reduced SVD).
    Shapes: (*, m, n) -> (*, min(m, n)). First derivatives only."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.factors = (u, vh)
        return s

    @staticmethod
    def backward(ctx, g):
        if not isinstance(g, np.ndarray):
            raise RuntimeError("svdvals: double backward is not supported")
        u, vh = ctx.factors
        return (u * g.reshape(g.shape[:-1] + (1, -1))) @ vh


# ---------------------------------------------------------------------- public functions
def _square(input, op):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape "
                           f"{tuple(input.shape)}")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{input.shape[-2]} by {input.shape[-1]} matrices")
    return _float_input(input, op)


def _float_input(input, op):
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point tensor as input. Got "
                           f"{input.dtype}")
    return input


def inv(A):
    """The inverse of each square matrix. Shapes: (*, n, n) -> (*, n, n)."""
    return Inv.apply(_square(A, "linalg.inv"))


def det(A):
    """The determinant of each square matrix. Shapes: (*, n, n) -> (*)."""
    return Det.apply(_square(A, "linalg.det"))


def slogdet(A):
    """`(sign, logabsdet)` of each square matrix; det = sign * exp(logabsdet); only logabsdet
    carries a gradient (A^-T)."""
    return SlogdetResult(*Slogdet.apply(_square(A, "linalg.slogdet")))


def logdet(input):
    """log(det(A)): nan for a negative determinant, -inf for a zero one."""
    sign, logabs = Slogdet.apply(_square(input, "logdet"))
    with np.errstate(divide="ignore", invalid="ignore"):
        return logabs + Tensor(np.log(sign._data))


def solve(A, B, *, left=True):
    """X with A X = B (`left=False`: X A = B). B is a vector when it is 1-D or has A's batch
    shape; batch dims broadcast. Shapes: (*, n, n), (*, n, k) or (*, n) -> like B."""
    a = _square(A, "linalg.solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): B must be a Tensor, got {type(B).__name__}")
    b = _float_input(B, "linalg.solve")
    if not left:
        return _mT(solve(_mT(a), _mT(b)))
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {a.dtype} and B of type {b.dtype} instead")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and tuple(b.shape) == tuple(a.shape[:-1]))
    if vector:
        b = b.unsqueeze(-1)
    n = a.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = "
                           f"B ({tuple(A.shape)} and {tuple(B.shape)})")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = a.expand(batch + a.shape[-2:]) if a.shape[:-2] != batch else a
    b = b.expand(batch + b.shape[-2:]) if b.shape[:-2] != batch else b
    x = Solve.apply(a, b)
    return x.squeeze(-1) if vector else x


def cholesky(A, *, upper=False):
    """The Cholesky factor L (A = L L^T) of each symmetric positive-definite matrix; with
    `upper`, U = L^T (A = U^T U). Only the lower (upper) triangle of A is read."""
    a = _square(A, "linalg.cholesky")
    if upper:  # U^T U = A, read from A's upper triangle (the lower one of A^T), as PyTorch
        return _mT(Cholesky.apply(_mT(a)))
    return Cholesky.apply(a)


def inverse(input):
    """`torch.inverse`: linalg.inv."""
    return Inv.apply(_square(input, "inverse"))


def cholesky_legacy(input, upper=False):
    """`torch.cholesky(input, upper=False)` (`upper` positional, unlike linalg.cholesky)."""
    return cholesky(input, upper=upper)


def svdvals(A):
    """The singular values of each matrix, in descending order. Shapes: (*, m, n) ->
    (*, min(m, n))."""
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError(f"linalg.svdvals: The input tensor A must have at least 2 "
                           f"dimensions, got {getattr(A, 'shape', A)}")
    return Svdvals.apply(to_float(A))

