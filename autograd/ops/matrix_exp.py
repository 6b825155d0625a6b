"""The matrix exponential: Pade approximant of degree 13 with scaling and squaring (Higham,
2005), and its gradient from the exponential of a block matrix, so double backward works."""
import math

import numpy as np

from ..function import Op
from ..tensor import Tensor, _make


def _t(a):
    """A constant Tensor holding array `a` (0-d arrays included)."""
    return _make(np.asarray(a), None)


__all__ = ["matrix_exp"]

# Pade(13) coefficients and the 1-norm up to which it is accurate to double precision
_B13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
        129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
        40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm_one(a):
    """exp(a) of one float64 matrix."""
    n = a.shape[-1]
    norm = np.abs(a).sum(0).max() if n else 0.0
    s = max(0, int(math.ceil(math.log2(norm / _THETA13)))) if norm > _THETA13 else 0
    a = a / 2.0 ** s
    b = _B13
    eye = np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
             + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
        + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


def _expm(a):
    flat = a.reshape((math.prod(a.shape[:-2]),) + a.shape[-2:]).astype(np.float64)
    out = np.stack([_expm_one(m) for m in flat]) if len(flat) else flat
    return out.reshape(a.shape).astype(a.dtype, copy=False)


def _block_grad(a, g):
    """The upper-right n x n block of exp([[A^T, g], [0, A^T]]): the vector-Jacobian product of
    exp at A (Mathias, 1996)."""
    n = a.shape[-1]
    at = a.swapaxes(-1, -2)
    if isinstance(a, Tensor):
        from .shape import cat
        zeros = _t(np.zeros(a.shape, a.dtype))
        big = cat([cat([at, g], -1), cat([zeros, at], -1)], -2)
        return MatrixExp.apply(big)[..., :n, n:]
    zeros = np.zeros(a.shape, a.dtype)
    big = np.concatenate([np.concatenate([at, g], -1), np.concatenate([zeros, at], -1)], -2)
    return _expm(big)[..., :n, n:]


class MatrixExp(Op):
    """Z = exp(A) = sum_k A^k / k!.   gA = [exp([[A^T, g], [0, A^T]])]_{12} (upper-right block).
    Shapes: (*, n, n) -> (*, n, n)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return _block_grad(a, g)


def matrix_exp(A):
    """`torch.linalg.matrix_exp` (also `torch.matrix_exp`): the exponential of each square
    matrix. Shapes: (*, n, n) -> (*, n, n)."""
    from .spectral import _square
    return MatrixExp.apply(_square(A, "linalg.matrix_exp"))
