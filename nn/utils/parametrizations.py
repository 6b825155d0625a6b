"""Ready-made parametrizations, as `torch.nn.utils.parametrizations`: `weight_norm`,
`spectral_norm` and `orthogonal`, each registered with `parametrize.register_parametrization`
so `state_dict` keys match PyTorch's (`parametrizations.weight.original0/original1`,
`parametrizations.weight.0._u`, `parametrizations.weight.0.base`, ...).
"""
import math

import numpy as np

import autograd
from autograd.tensor import Tensor, _make

from .. import functional as F
from ..module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


# ---------------------------------------------------------------------- weight norm
class _WeightNorm(Module):
    """(weight_g, weight_v) -> weight_v * weight_g / ||weight_v|| (norm over all dims but
    `dim`; over everything when dim is None or -1)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Weight normalisation as a parametrization: `module.<name>` = g * v / ||v|| with
    g = `parametrizations.<name>.original0`, v = `original1`. Returns `module`.

    Example:
        >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.shape     # (40, 1)
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


# ---------------------------------------------------------------------- spectral norm
class _SpectralNorm(Module):
    """weight -> weight / sigma, sigma = u . (W v) estimated by power iteration on the weight
    seen as a matrix W (with `dim` first). Buffers `_u`, `_v` start as normalised standard
    normal draws followed by 15 iterations; each training call runs `n_power_iterations` more
    (u <- normalize(W v) first, then v <- normalize(W^T u), in place and not recorded)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, "
                             f"{ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = self._reshape_weight_to_matrix(weight)
            h, w = mat.shape
            u = autograd.randn(h, dtype=mat.dtype)
            v = autograd.randn(w, dtype=mat.dtype)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.movedim(self.dim, 0)
        return weight.reshape(weight.shape[0], -1)

    def _power_method(self, mat, n_power_iterations):
        with autograd.no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(autograd.mv(mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(autograd.mv(mat.t(), self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        sigma = autograd.dot(self._u.clone(), autograd.mv(mat, self._v.clone()))
        return weight / sigma

    def right_inverse(self, value):
        return value


def _is_transposed_conv(module):
    from .. import conv
    kinds = tuple(getattr(conv, n) for n in ("ConvTranspose1d", "ConvTranspose2d",
                                             "ConvTranspose3d") if hasattr(conv, n))
    return isinstance(module, kinds)


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectral normalisation as a parametrization: `module.<name>` = W / sigma(W). `dim`
    defaults to 1 for ConvTranspose layers and 0 otherwise. Returns `module`.

    Example:
        >>> m = nn.utils.parametrizations.spectral_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original.shape      # (40, 20)
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_transposed_conv(module) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


# ---------------------------------------------------------------------- orthogonal
def _eye_like(n, k, like):
    return _make(np.eye(n, k, dtype=like.dtype), None)


def _matrix_exp(a):
    """exp(A) by scaling and squaring a degree-18 Taylor polynomial (error below 1e-20 for
    ||A / 2^s|| <= 1/2), composed from matmuls so it has every derivative."""
    norm = float(np.abs(a._data).sum(axis=-2).max()) if a._data.size else 0.0
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    b = a / (2.0 ** s)
    n = a.shape[-1]
    eye = _eye_like(n, n, a)
    result = eye
    for j in range(18, 0, -1):  # Horner: I + B/1 (I + B/2 (... (I + B/18)))
        result = eye + (b @ result) / float(j)
    for _ in range(s):
        result = result @ result
    return result


def _householder_product(a, tau):
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, v_i = column i of `a`
    below the diagonal with a unit diagonal entry (LAPACK's orgqr, as
    `torch.linalg.householder_product`).   Shapes: a: (*, n, k)  tau: (*, k) -> (*, n, k)"""
    n, k = a.shape[-2], a.shape[-1]
    vs = a.tril(-1) + _eye_like(n, k, a)
    q = _eye_like(n, n, a)
    for i in range(k):
        v = vs[..., :, i:i + 1]
        t = tau[..., i:i + 1].unsqueeze(-1)
        q = q - ((q @ v) * t) @ v.transpose(-1, -2)
    return q[..., :, :k]


def _make_orthogonal(a):
    """The Q of A's QR decomposition with R's diagonal made non-negative (no gradient)."""
    q, r = np.linalg.qr(a)
    sign = np.sign(np.diagonal(r, axis1=-2, axis2=-1))
    return q * np.where(sign == 0, 1.0, sign)[..., None, :]


def _is_orthogonal(q):
    n, k = q.shape[-2], q.shape[-1]
    eps = 10.0 * n * np.finfo(q.dtype).eps
    return np.allclose(np.swapaxes(q, -1, -2) @ q, np.eye(k), rtol=1e-5, atol=eps)


_MAPS = ("matrix_exp", "cayley", "householder")


class _Orthogonal(Module):
    """X -> an orthogonal matrix (columns orthonormal for a tall X, rows for a wide one) by the
    matrix exponential or the Cayley map of the skew part of tril(X), or a product of
    Householder reflections; with the trivialization, Q = base @ map(X), where `base` is the
    orthogonalised tensor last assigned and X starts at -I (so map(X) = I)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if orthogonal_map == "householder" and not use_trivialization:
            raise NotImplementedError("orthogonal(orthogonal_map='householder', "
                                      "use_trivialization=False) is not supported")
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x):
        n, k = x.shape[-2], x.shape[-1]
        transposed = n < k
        if transposed:
            x = x.transpose(-1, -2)
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:
                x = autograd.cat([x, autograd.zeros(tuple(x.shape[:-2]) + (n, n - k),
                                                    dtype=x.dtype)], dim=-1)
            a = x - x.transpose(-1, -2)
            if self.orthogonal_map == "matrix_exp":
                q = _matrix_exp(a)
            else:  # (I - A/2)^-1 (I + A/2)
                eye = _eye_like(n, n, a)
                q = autograd.linalg.solve(eye - a * 0.5, eye + a * 0.5)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + (a * a).sum(-2))
            q = _householder_product(a, tau)
            # NOTE: PyTorch truncates the diagonal (ideally +-1) to integers, undifferentiated
            diag = np.trunc(np.diagonal(x._data, axis1=-2, axis2=-1))
            q = q * _make(diag[..., None, :].astype(q.dtype), None)
        if "base" in self._buffers:
            q = self.base @ q
        if transposed:
            q = q.transpose(-1, -2)
        return q

    def right_inverse(self, q):
        if tuple(q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {tuple(q.shape)}.")
        if "base" not in self._buffers:
            raise NotImplementedError("It is not possible to assign to the matrix exponential "
                                      "or the Cayley parametrizations when "
                                      "use_trivialization=False.")
        arr = q._data
        n, k = arr.shape[-2], arr.shape[-1]
        if n < k:
            arr = np.swapaxes(arr, -1, -2)
            n, k = k, n
        if n == k:
            base = arr.copy() if _is_orthogonal(arr) else _make_orthogonal(arr)
        else:  # complete the columns with random ones before orthogonalising
            extra = autograd.randn(*(arr.shape[:-2] + (n, n - k)), dtype=q.dtype)._data
            base = _make_orthogonal(np.concatenate([arr, extra], axis=-1))
        self.base = _make(base.astype(q.dtype), None)
        neg_id = np.broadcast_to(-np.eye(*self.shape[-2:], dtype=q.dtype), self.shape).copy()
        return _make(neg_id, None)


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain the matrix (or batch of matrices) `module.<name>` to be orthogonal.

    `orthogonal_map` is "matrix_exp" (default for square matrices), "cayley" or
    "householder" (default otherwise). Returns `module`.

    Example:
        >>> m = nn.utils.parametrizations.orthogonal(nn.Linear(20, 40))
        >>> w = m.weight; (w.T @ w)     # ~ the 20 x 20 identity
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in _MAPS:
        raise ValueError(f'orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
