"""RMSprop: a running average of squared gradients scales each step (optionally centered)."""
import numpy as np

from .optimizer import Optimizer, _buffer, _check_nonneg, _effective_grad

__all__ = ["RMSprop", "rmsprop_update"]


class RMSprop(Optimizer):
    """RMSprop, as `torch.optim.RMSprop`.

    Per step: `g += weight_decay * p`; `v = alpha v + (1 - alpha) g^2`; centered:
    `g_avg = alpha g_avg + (1 - alpha) g` and `v~ = v - g_avg^2`; `d = sqrt(v~) + eps`;
    with momentum `b = momentum b + g / d`, `p -= lr b`; else `p -= lr g / d`.

    Shapes: every state array has its parameter's shape.

    Example:
        >>> opt = RMSprop(params, lr=1e-2, alpha=0.99, momentum=0.9, centered=True)
        >>> opt.zero_grad(); loss_fn().backward(); opt.step()
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_nonneg(hp, "eps", "epsilon value")
        _check_nonneg(hp, "momentum", "momentum value")
        _check_nonneg(hp, "weight_decay", "weight_decay value")
        _check_nonneg(hp, "alpha", "alpha value")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param._data)
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param._data)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        state["step"] += 1
        momentum_buffer = grad_avg = None
        if group["momentum"] > 0:
            momentum_buffer = state.setdefault("momentum_buffer", np.zeros_like(param))
        if group["centered"]:
            grad_avg = state.setdefault("grad_avg", np.zeros_like(param))
        rmsprop_update(param, grad, state["square_avg"], momentum_buffer, grad_avg,
                       lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                       weight_decay=group["weight_decay"], momentum=group["momentum"],
                       centered=group["centered"], maximize=group["maximize"],
                       scratch=self._scratch(param))


def rmsprop_update(param, grad, square_avg, momentum_buffer=None, grad_avg=None, *, lr,
                   alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                   maximize=False, scratch=None):
    """One RMSprop step on arrays, in place on `param` and the state arrays.

    Args:
        momentum_buffer: required when `momentum > 0`.
        grad_avg: required when `centered`.
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad and every state array: the same shape.
    """
    g = _effective_grad(param, grad, weight_decay, maximize)
    buf = _buffer(scratch, param)
    square_avg *= alpha
    np.multiply(g, g, out=buf)
    buf *= 1 - alpha
    square_avg += buf
    if centered:
        grad_avg *= alpha
        np.multiply(g, 1 - alpha, out=buf)
        grad_avg += buf
        np.multiply(grad_avg, grad_avg, out=buf)
        np.subtract(square_avg, buf, out=buf)
        np.sqrt(buf, out=buf)
    else:
        np.sqrt(square_avg, out=buf)
    buf += eps
    np.divide(g, buf, out=buf)
    if momentum > 0:
        momentum_buffer *= momentum
        momentum_buffer += buf
        np.multiply(momentum_buffer, -lr, out=buf)
    else:
        buf *= -lr
    param += buf
