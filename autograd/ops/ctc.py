"""Connectionist temporal classification: the negative log-likelihood of every alignment of a
target sequence with the frames of (T, N, C) log-probabilities, by the log-space
forward-backward recursions over the extended target (blank, l1, blank, l2, ..., blank),
vectorised over the batch.

alpha[t, s] = lse(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2] if l'[s] is not blank and
              differs from l'[s-2]) + lp[t, l'[s]]
beta[t, s]  = lse(beta[t+1, s], beta[t+1, s+1], beta[t+1, s+2] if allowed) + lp[t, l'[s]]
nll = -lse(alpha[T-1, 2L], alpha[T-1, 2L-1])

The node gives first derivatives only.
"""
import numpy as np

from ..function import Op
from .conv import _first_order_only

__all__ = []


def _extended(targets, target_lengths, blank):
    """(N, 2 Lmax + 1) extended labels (blank between and around the targets) and the mask of
    the positions s where the s-2 -> s skip is allowed."""
    n = targets.shape[0]
    width = 2 * (targets.shape[1] if targets.size else 0) + 1
    ext = np.full((n, width), blank, np.int64)
    ext[:, 1::2] = targets
    skip = np.zeros((n, width), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    return ext, skip


def _shift(a, k, fill):
    """a shifted right by k along the last axis (k < 0: left), `fill` entering."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


def _recursions(lp_ext, skip, valid, input_lengths, target_lengths):
    """alpha, beta: (T, N, S') in log space (-inf where unreachable or past a sample's end)."""
    t_max, n, width = lp_ext.shape
    ninf = -np.inf
    rows = np.arange(n)
    last = 2 * target_lengths
    alpha = np.full((t_max, n, width), ninf, lp_ext.dtype)
    alpha[0, :, 0] = lp_ext[0, :, 0]
    alpha[0, :, 1:2] = np.where(target_lengths[:, None] > 0, lp_ext[0, :, 1:2], ninf)
    alpha[0] = np.where(valid & (input_lengths[:, None] > 0), alpha[0], ninf)
    for t in range(1, t_max):
        a = alpha[t - 1]
        step = np.logaddexp(np.logaddexp(a, _shift(a, 1, ninf)),
                            np.where(skip, _shift(a, 2, ninf), ninf)) + lp_ext[t]
        alpha[t] = np.where(valid & (t < input_lengths)[:, None], step, ninf)
    beta = np.full((t_max, n, width), ninf, lp_ext.dtype)
    skip_from = _shift(skip, -2, False)  # s -> s + 2 allowed
    init = np.full((n, width), ninf, lp_ext.dtype)
    for t in range(t_max - 1, -1, -1):
        init.fill(ninf)
        init[rows, last] = lp_ext[t, rows, last]
        has = target_lengths > 0
        init[rows[has], last[has] - 1] = lp_ext[t, rows[has], last[has] - 1]
        if t + 1 < t_max:
            b = beta[t + 1]
            step = np.logaddexp(np.logaddexp(b, _shift(b, -1, ninf)),
                                np.where(skip_from, _shift(b, -2, ninf), ninf)) + lp_ext[t]
        else:
            step = np.full((n, width), ninf, lp_ext.dtype)
        ends_here = (t == input_lengths - 1)[:, None]
        before = (t < input_lengths - 1)[:, None]
        beta[t] = np.where(valid, np.where(ends_here, init, np.where(before, step, ninf)), ninf)
    return alpha, beta


class CTCLoss(Op):
    """Per-sample CTC negative log-likelihood nll[n] (see the module docstring).

    Backward is PyTorch's gradient w.r.t. log_probs:
    g[t, n, c] = (exp(lp[t, n, c]) - exp(lse_{s: l'[s] = c}(alpha + beta)[t, n] + nll[n]
                 - lp[t, n, c])) * g_out[n] for t < input_lengths[n], else 0,
    i.e. the true derivative plus exp(lp) g_out, a term a preceding log_softmax cancels.
    With zero_infinity, infinite losses (impossible alignments) and their gradients are 0.

    Shapes: log_probs: (T, N, C)  ->  (N,); `options` is (targets (N, Lmax) int64,
    input_lengths (N,), target_lengths (N,), blank, zero_infinity).
    """

    @staticmethod
    def forward(ctx, log_probs, options):
        targets, input_lengths, target_lengths, blank, zero_infinity = options
        n = log_probs.shape[1]
        ext, skip = _extended(targets, target_lengths, blank)
        valid = np.arange(ext.shape[1]) <= 2 * target_lengths[:, None]
        lp_ext = np.take_along_axis(log_probs, np.broadcast_to(ext, (log_probs.shape[0],)
                                                               + ext.shape), axis=2)
        alpha, beta = _recursions(lp_ext, skip, valid, input_lengths, target_lengths)
        rows = np.arange(n)
        end = np.maximum(input_lengths - 1, 0)
        last = 2 * target_lengths
        final = alpha[end, rows]
        ll = np.logaddexp(final[rows, last],
                          np.where(target_lengths > 0, final[rows, np.maximum(last - 1, 0)],
                                   -np.inf))
        ll = np.where(input_lengths > 0, ll, np.where(target_lengths == 0, 0.0, -np.inf))
        nll = (-ll).astype(log_probs.dtype)
        ctx.saved = (log_probs, ext, alpha, beta, nll, input_lengths, zero_infinity)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0.0, nll).astype(log_probs.dtype)
        return nll

    @staticmethod
    def backward(ctx, g):
        _first_order_only(g, "ctc_loss")
        log_probs, ext, alpha, beta, nll, input_lengths, zero_infinity = ctx.saved
        t_max, n, c = log_probs.shape
        ab = alpha + beta
        peak = ab.max(axis=2, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0.0)
        onehot = (ext[:, :, None] == np.arange(c)).astype(log_probs.dtype)  # (N, S', C)
        with np.errstate(divide="ignore"):
            lcab = np.log(np.einsum("tns,nsc->tnc", np.exp(ab - peak), onehot)) + peak
        with np.errstate(invalid="ignore", over="ignore"):
            grad = np.exp(log_probs) - np.exp(lcab + nll[:, None] - log_probs)
        inside = np.arange(t_max)[:, None] < input_lengths
        grad = np.where(inside[:, :, None], grad, 0.0)
        if zero_infinity:
            grad = np.where(np.isinf(nll)[:, None], 0.0, grad)
        return (grad * g[:, None]).astype(log_probs.dtype, copy=False), None
