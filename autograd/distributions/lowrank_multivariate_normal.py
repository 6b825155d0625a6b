"""LowRankMultivariateNormal: covariance W W^T + diag(D), handled through the m x m
capacitance matrix I + W^T D^-1 W (Woodbury identity and matrix determinant lemma), so no
n x n factorisation is needed."""
import math

import numpy as np

from ..creation import eye
from ..ops.decomp import cholesky
from ..ops.elementwise import log
from ..ops.triangular import solve_triangular
from . import constraints
from .distribution import Distribution
from .utils import as_float_tensor, lazy_property, matrix_diagonal, standard_normal

__all__ = ["LowRankMultivariateNormal"]


class LowRankMultivariateNormal(Distribution):
    """Normal with mean `loc` and covariance `cov_factor @ cov_factor.T + diag(cov_diag)`.

    With C = I + W^T D^-1 W = L_C L_C^T:
      log det Sigma = 2 sum log diag L_C + sum log D;
      x^T Sigma^-1 x = sum x^2 / D - |L_C^-1 W^T D^-1 x|^2.
    rsample: loc + W eps_W + sqrt(D) eps_D.

    Shapes: loc: (*, n)  cov_factor: (*, n, m)  cov_diag: (*, n)  ->  event_shape (n,)

    Example:
        >>> d = LowRankMultivariateNormal(torch.zeros(3), torch.ones(3, 1), torch.ones(3))
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True
    _batch_params = ()

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        loc, cov_factor, cov_diag = (as_float_tensor(t) for t in (loc, cov_factor, cov_diag))
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        n = loc.shape[-1]
        if cov_factor.ndim < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        if tuple(cov_factor.shape[-2:-1]) != (n,):
            raise ValueError(f"cov_factor must be a batch of matrices with shape {n} x m, "
                             f"got {tuple(cov_factor.shape)}")
        if tuple(cov_diag.shape[-1:]) != (n,):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {(n,)}, "
                             f"got {tuple(cov_diag.shape)}")
        try:
            batch = np.broadcast_shapes(tuple(loc.shape[:-1]), tuple(cov_factor.shape[:-2]),
                                        tuple(cov_diag.shape[:-1]))
        except ValueError:
            raise ValueError(f"Incompatible batch shapes: loc {tuple(loc.shape)}, cov_factor "
                             f"{tuple(cov_factor.shape)}, cov_diag {tuple(cov_diag.shape)}") \
                from None
        m = cov_factor.shape[-1]
        self.loc = loc.expand(batch + (n,))
        self.cov_factor = cov_factor.expand(batch + (n, m))
        self.cov_diag = cov_diag.expand(batch + (n,))
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = self._capacitance(cov_factor, cov_diag)
        super().__init__(batch, (n,), validate_args=validate_args)

    @staticmethod
    def _capacitance(W, D):
        m = W.shape[-1]
        Wt_Dinv = W.mT / D.unsqueeze(-2)
        K = Wt_Dinv @ W
        return cholesky(K + eye(m, dtype=W.dtype))

    def expand(self, batch_shape, _instance=None):
        batch_shape = tuple(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        n, m = self.cov_factor.shape[-2:]
        new.loc = self.loc.expand(batch_shape + (n,))
        new.cov_factor = self.cov_factor.expand(batch_shape + (n, m))
        new.cov_diag = self.cov_diag.expand(batch_shape + (n,))
        new._batch_shape = batch_shape
        return new

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        return ((self._unbroadcasted_cov_factor ** 2).sum(-1)
                + self._unbroadcasted_cov_diag).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        W = self._unbroadcasted_cov_factor
        cov = W @ W.mT + self._unbroadcasted_cov_diag.diag_embed()
        return cov.expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def scale_tril(self):
        return cholesky(self.covariance_matrix)

    @lazy_property
    def precision_matrix(self):
        # Woodbury: D^-1 - D^-1 W C^-1 W^T D^-1 = D^-1 - A^T A,  A = L_C^-1 W^T D^-1
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        Wt_Dinv = W.mT / D.unsqueeze(-2)
        A = solve_triangular(self._capacitance_tril, Wt_Dinv, upper=False)
        prec = (1 / D).diag_embed() - A.mT @ A
        return prec.expand(self._batch_shape + self._event_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        m = self.cov_factor.shape[-1]
        eps_w = standard_normal(shape[:-1] + (m,), self.loc.dtype)
        eps_d = standard_normal(shape, self.loc.dtype)
        w_eps = (self._unbroadcasted_cov_factor @ eps_w.unsqueeze(-1)).squeeze(-1)
        return self.loc + w_eps + self._unbroadcasted_cov_diag.sqrt() * eps_d

    def _log_det(self):
        return 2 * log(matrix_diagonal(self._capacitance_tril)).sum(-1) \
            + log(self._unbroadcasted_cov_diag).sum(-1)

    def log_prob(self, value):
        self._check_value(value)
        diff = value - self.loc
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        Wt_Dinv_x = ((W / D.unsqueeze(-1)) * diff.unsqueeze(-1)).sum(-2)
        L = self._capacitance_tril
        batch = np.broadcast_shapes(tuple(L.shape[:-2]), tuple(Wt_Dinv_x.shape[:-1]))
        m = L.shape[-1]
        y = solve_triangular(L.expand(batch + (m, m)),
                             Wt_Dinv_x.expand(batch + (m,)).unsqueeze(-1), upper=False)
        mahalanobis = (diff ** 2 / D).sum(-1) - (y * y).sum((-2, -1))
        n = self._event_shape[0]
        return -0.5 * (n * math.log(2 * math.pi) + mahalanobis + self._log_det())

    def entropy(self):
        n = self._event_shape[0]
        h = 0.5 * (n * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return h.expand(self._batch_shape) if h.ndim or self._batch_shape else h
