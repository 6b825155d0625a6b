"""LAMB (You et al., 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
minutes"): an Adam direction rescaled per parameter tensor by a layer-wise trust ratio."""
import math

import numpy as np

from .adam import _update_moments
from .optimizer import Optimizer, _buffer, _check_betas, _check_nonneg

__all__ = ["LAMB", "lamb_update"]


class LAMB(Optimizer):
    """LAMB, following the paper's Algorithm 2 with phi the identity (not in PyTorch).

    Per step t: moments as in Adam; `r = m^ / (sqrt(v^) + eps)` with bias-corrected
    `m^ = m / (1 - b1^t)`, `v^ = v / (1 - b2^t)` (when `bias_correction`);
    `u = r + weight_decay p`; `p -= lr (||p|| / ||u||) u`, the trust ratio being 1 when
    either norm is 0. Each parameter tensor is one "layer".

    Shapes: `exp_avg`, `exp_avg_sq` have their parameter's shape.

    Example:
        >>> opt = LAMB(params, lr=1e-3, weight_decay=1e-2)
        >>> opt.zero_grad(); loss_fn().backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0, *,
                 bias_correction=True, maximize=False, foreach=None):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        bias_correction=bias_correction, maximize=maximize, foreach=foreach)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_nonneg(hp, "eps", "epsilon value")
        _check_betas(hp)
        _check_nonneg(hp, "weight_decay", "weight_decay value")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["exp_avg"] = np.zeros_like(param._data)
        state["exp_avg_sq"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        state["step"] += 1
        beta1, beta2 = group["betas"]
        lamb_update(param, grad, state["exp_avg"], state["exp_avg_sq"], state["step"],
                    lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    bias_correction=group["bias_correction"], maximize=group["maximize"],
                    scratch=self._scratch(param))


def lamb_update(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1=0.9, beta2=0.999,
                eps=1e-6, weight_decay=0.0, bias_correction=True, maximize=False, scratch=None):
    """One LAMB step on arrays, in place on `param` and the moments.

    Args:
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, exp_avg, exp_avg_sq: the same shape.
    """
    g = np.negative(grad, out=np.empty_like(grad)) if maximize else grad
    buf = _buffer(scratch, param)
    _update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, buf)
    bc1 = 1 - beta1 ** step if bias_correction else 1.0
    bc2 = 1 - beta2 ** step if bias_correction else 1.0
    np.sqrt(exp_avg_sq, out=buf)
    buf /= math.sqrt(bc2)
    buf += eps
    np.divide(exp_avg, buf, out=buf)
    buf /= bc1
    if weight_decay != 0:
        buf += np.multiply(param, weight_decay, out=np.empty_like(param))
    p_norm = float(np.sqrt(np.vdot(param, param)))
    u_norm = float(np.sqrt(np.vdot(buf, buf)))
    trust = p_norm / u_norm if p_norm > 0 and u_norm > 0 else 1.0
    buf *= -(lr * trust)
    param += buf
