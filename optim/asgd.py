"""Averaged stochastic gradient descent: ASGD."""
import numpy as np

from .optimizer import Optimizer, _check_nonneg, _effective_grad

__all__ = ["ASGD", "asgd_update"]


class ASGD(Optimizer):
    """ASGD, as `torch.optim.ASGD`.

    Per step t: `p *= 1 - lambd * eta`; `p -= eta * g` (g with L2 weight decay); the running
    average `ax` follows `p` (a copy while `mu` is 1, then `ax += mu * (p - ax)`); then
    `eta = lr / (1 + lambd * lr * t) ** alpha` and `mu = 1 / max(1, t - t0)`. Like PyTorch, `eta`
    and `mu` are float32 scalars in the state.

    Shapes: `ax` has its parameter's shape; `eta` and `mu` are 0-dim.

    Example:
        >>> opt = ASGD(params, lr=1e-2, t0=100)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_nonneg(hp, "weight_decay", "weight_decay value")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["eta"] = np.float32(group["lr"])
        state["mu"] = np.float32(1.0)
        state["ax"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        state["step"] += 1
        state["eta"], state["mu"] = asgd_update(
            param, grad, state["ax"], state["step"], state["eta"], state["mu"], lr=group["lr"],
            lambd=group["lambd"], alpha=group["alpha"], t0=group["t0"],
            weight_decay=group["weight_decay"], maximize=group["maximize"])


def asgd_update(param, grad, ax, step, eta, mu, *, lr, lambd=1e-4, alpha=0.75, t0=1e6,
                weight_decay=0.0, maximize=False):
    """One ASGD step on arrays, in place on `param` and `ax`; `step` counts this step.

    Returns:
        The next `(eta, mu)`, as float32 scalars.

    Shapes: param, grad, ax: the same shape.
    """
    g = _effective_grad(param, grad, weight_decay, maximize)
    eta, mu = float(eta), float(mu)
    param *= 1 - lambd * eta
    param -= np.multiply(g, eta)
    if mu != 1:
        ax += np.multiply(np.subtract(param, ax), mu)
    else:
        ax[...] = param
    return np.float32(lr / (1 + lambd * lr * step) ** alpha), np.float32(1 / max(1, step - t0))
