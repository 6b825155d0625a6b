"""MultivariateNormal, parametrised by a covariance, a precision or a lower Cholesky factor.

Everything runs through the lower Cholesky factor L of the covariance (Sigma = L L^T):
log-density and KL by triangular solves, rsample as loc + L eps.
"""
import math

import numpy as np

from ..creation import eye
from ..ops.elementwise import log
from ..ops.shape import flip
from . import constraints
from ..ops.decomp import cholesky
from ..ops.triangular import solve_triangular
from .utils import matrix_diagonal as diagonal
from .distribution import Distribution
from .utils import as_float_tensor, lazy_property, standard_normal

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(L, x):
    """x^T (L L^T)^-1 x over the last dim of x:  |L^-1 x|^2.

    Shapes: L: (*, n, n)  x: (*, n)  ->  (*)  (batch dims broadcast)
    """
    y = solve_triangular(L, x.unsqueeze(-1), upper=False)
    return (y * y).sum((-2, -1))


def _precision_to_scale_tril(P):
    """Lower L with L L^T = P^-1, from the Cholesky factor of P with its indices reversed."""
    Lf = cholesky(flip(P, (-2, -1)))
    L_inv = flip(Lf, (-2, -1)).swapaxes(-1, -2)
    n = P.shape[-1]
    identity = eye(n, dtype=P.dtype).expand(L_inv.shape)
    return solve_triangular(L_inv, identity, upper=False)


class MultivariateNormal(Distribution):
    """Multivariate normal with mean `loc` and exactly one of `covariance_matrix`,
    `precision_matrix` or `scale_tril` (lower Cholesky factor of the covariance).

    log p(x) = -(k log(2 pi) + |L^-1 (x - loc)|^2) / 2 - sum(log diag L).

    Shapes: loc: (*, k)  matrices: (*, k, k)  ->  batch_shape = broadcast(*, *), event_shape (k,)

    Example:
        >>> m = MultivariateNormal(torch.zeros(2), scale_tril=torch.eye(2))
        >>> m.rsample((4,)).shape
        (4, 2)
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True
    _batch_params = ("loc", "covariance_matrix", "precision_matrix", "scale_tril")

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        loc = as_float_tensor(loc)
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, matrix = next((n, m) for n, m in zip(
            ("covariance_matrix", "precision_matrix", "scale_tril"),
            (covariance_matrix, precision_matrix, scale_tril)) if m is not None)
        matrix = as_float_tensor(matrix)
        if matrix.ndim < 2:
            raise ValueError(f"{name} matrix must be at least two-dimensional, with optional "
                             f"leading batch dimensions")
        k = loc.shape[-1]
        if matrix.shape[-2:] != (k, k):
            raise ValueError(f"{name} of shape {tuple(matrix.shape)} does not match loc of "
                             f"shape {tuple(loc.shape)}: expected (*, {k}, {k})")
        batch_shape = np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (k, k)))
        self.loc = loc.expand(batch_shape + (k,))
        super().__init__(batch_shape, (k,), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = matrix
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    @lazy_property
    def scale_tril(self):
        L = self._unbroadcasted_scale_tril
        return L.expand(self._batch_shape + tuple(L.shape[-2:]))

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.swapaxes(-1, -2)).expand(self._batch_shape + tuple(L.shape[-2:]))

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        n = L.shape[-1]
        L_inv = solve_triangular(L, eye(n, dtype=L.dtype).expand(L.shape), upper=False)
        return (L_inv.swapaxes(-1, -2) @ L_inv).expand(self._batch_shape + (n, n))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        L = self._unbroadcasted_scale_tril
        return (L * L).sum(-1).expand(self._batch_shape + self._event_shape)

    def _half_log_det(self):
        return log(diagonal(self._unbroadcasted_scale_tril)).sum(-1)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc.dtype)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        self._check_value(value)
        diff = value - self.loc
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self):
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(self._batch_shape) if self._batch_shape else h
