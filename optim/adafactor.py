"""Adafactor (Shazeer & Stern, 2018): factored second moments for matrices, relative step
sizes and update clipping, with PyTorch's choices (`torch.optim.Adafactor`) for lr and eps1."""
import math

import numpy as np

from .optimizer import Optimizer

__all__ = ["Adafactor", "adafactor_update"]


class Adafactor(Optimizer):
    """Adafactor, as `torch.optim.Adafactor`.

    Per step t: `b2_t = 1 - t^beta2_decay`; `rho_t = min(lr, 1/sqrt(t))`;
    `alpha_t = max(eps2, RMS(p)) rho_t`; `p *= 1 - lr weight_decay`; for a tensor of 2 or more
    dims the second moment is factored into a row mean R (over the last dim of g^2) and a
    column mean C (over the second to last), each averaged with weight `1 - b2_t`, and
    `V = R C / max(mean(R), eps1)`; vectors keep a full `V`. Then `U = g / max(sqrt(V), eps1)`,
    clipped to RMS at most `d`, and `p -= alpha_t U`. `eps1=None` means the dtype's machine
    epsilon.

    Shapes: p: (*, n, m)  row_var: (*, n, 1)  col_var: (*, 1, m); vectors: variance (n,).

    Example:
        >>> opt = Adafactor(params, lr=1e-2)
        >>> opt.zero_grad(); loss_fn().backward(); opt.step()
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=tuple(eps), d=d,
                        weight_decay=weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, hp):
        if "lr" in hp and not 0.0 <= hp["lr"]:
            raise ValueError(f"Learning rate should be >= 0 but is: {hp['lr']}")
        if "beta2_decay" in hp and not hp["beta2_decay"] <= 0.0:
            raise ValueError(f"beta2_decay should be <= 0 but is: {hp['beta2_decay']}")
        if "eps" in hp:
            eps1, eps2 = hp["eps"]
            if eps1 is not None and not 0.0 <= eps1:
                raise ValueError(f"epsilon1 should be >= 0 but is: {eps1}")
            if not 0.0 <= eps2:
                raise ValueError(f"epsilon2 should be >= 0 but is: {eps2}")
        if "d" in hp and not 1.0 <= hp["d"]:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {hp['d']}")
        if "weight_decay" in hp and not 0.0 <= hp["weight_decay"]:
            raise ValueError(f"weight_decay should be >= 0 but is: {hp['weight_decay']}")

    def _init_state(self, param, state, group):
        state["step"] = 0
        shape = param.shape
        if len(shape) > 1:
            state["row_var"] = np.zeros(shape[:-1] + (1,), param.dtype)
            state["col_var"] = np.zeros(shape[:-2] + (1, shape[-1]), param.dtype)
        else:
            state["variance"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        state["step"] += 1
        eps1, eps2 = group["eps"]
        adafactor_update(param, grad, state["step"], state.get("row_var"), state.get("col_var"),
                         state.get("variance"), lr=group["lr"],
                         beta2_decay=group["beta2_decay"], eps1=eps1, eps2=eps2, d=group["d"],
                         weight_decay=group["weight_decay"], maximize=group["maximize"])


def _lerp_(start, end, weight):
    """`start += weight (end - start)` in place, rounded as PyTorch's lerp (from the nearer
    end), so a weight of 1 gives `end` exactly."""
    if weight < 0.5:
        np.subtract(end, start, out=end)
        end *= weight
        start += end
    else:
        np.subtract(end, start, out=start)
        start *= -(1 - weight)
        start += end


def adafactor_update(param, grad, step, row_var=None, col_var=None, variance=None, *, lr=1e-2,
                     beta2_decay=-0.8, eps1=None, eps2=1e-3, d=1.0, weight_decay=0.0,
                     maximize=False):
    """One Adafactor step on arrays, in place on `param` and the second-moment state.

    Args:
        step: the step number t >= 1 of this update (already incremented).
        row_var, col_var: the factored moments, for tensors of 2 or more dims.
        variance: the full second moment, for 0- and 1-dim tensors.

    Shapes: param, grad: (*, n, m)  row_var: (*, n, 1)  col_var: (*, 1, m); or
    param, grad, variance: the same shape (at most 1 dim).
    """
    g = np.negative(grad, out=np.empty_like(grad)) if maximize else grad
    if eps1 is None:
        eps1 = float(np.finfo(param.dtype).eps)
    weight = step ** beta2_decay
    rho_t = min(lr, 1 / math.sqrt(step))
    alpha = max(eps2, _rms(param)) * rho_t
    if weight_decay != 0:
        param *= 1 - lr * weight_decay
    g2 = np.multiply(g, g, out=np.empty_like(param))
    if g.ndim > 1:
        _lerp_(row_var, np.divide(g2.sum(axis=-1, keepdims=True), g.shape[-1]), weight)
        _lerp_(col_var, np.divide(g2.sum(axis=-2, keepdims=True), g.shape[-2]), weight)
        update = np.matmul(row_var, col_var)
        update /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
    else:
        _lerp_(variance, g2, weight)
        update = np.copy(variance)
    np.maximum(update, eps1 * eps1, out=update)
    np.sqrt(update, out=update)
    np.divide(g, update, out=update)
    denom = max(1.0, _rms(update) / d)
    update *= -(alpha / denom)
    param += update


def _rms(x):
    return math.sqrt(float(np.vdot(x, x)) / x.size) if x.size else 0.0
