"""Accumulating-statistics optimizers: Adagrad and Adadelta."""
import numpy as np

from .optimizer import Optimizer, _buffer, _check_nonneg, _check_range, _effective_grad

__all__ = ["Adagrad", "Adadelta", "adagrad_update", "adadelta_update"]


# ---------------------------------------------------------------------- Adagrad
class Adagrad(Optimizer):
    """Adagrad, as `torch.optim.Adagrad`.

    Per step t: `lr~ = lr / (1 + (t - 1) lr_decay)`; `g += weight_decay * p`;
    `s += g^2`; `p -= lr~ g / (sqrt(s) + eps)`. Like PyTorch, the state (`step` 0 and `sum`
    filled with `initial_accumulator_value`) is created by the constructor.

    Shapes: `sum` has its parameter's shape.

    Example:
        >>> opt = Adagrad(params, lr=1e-2, lr_decay=1e-4)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_nonneg(hp, "lr_decay", "lr_decay value")
        _check_nonneg(hp, "weight_decay", "weight_decay value")
        _check_nonneg(hp, "initial_accumulator_value", "initial_accumulator_value value")
        _check_nonneg(hp, "eps", "epsilon value")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["sum"] = np.full_like(param._data, group["initial_accumulator_value"])

    def _update(self, param, grad, state, group):
        state["step"] += 1
        adagrad_update(param, grad, state["sum"], state["step"], lr=group["lr"],
                       lr_decay=group["lr_decay"], weight_decay=group["weight_decay"],
                       eps=group["eps"], maximize=group["maximize"],
                       scratch=self._scratch(param))


def adagrad_update(param, grad, state_sum, step, *, lr, lr_decay=0.0, weight_decay=0.0,
                   eps=1e-10, maximize=False, scratch=None):
    """One Adagrad step on arrays, in place on `param` and `state_sum`.

    Args:
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, state_sum: the same shape.
    """
    g = _effective_grad(param, grad, weight_decay, maximize)
    clr = lr / (1 + (step - 1) * lr_decay)
    buf = np.multiply(g, g, out=_buffer(scratch, param))
    state_sum += buf
    np.sqrt(state_sum, out=buf)
    buf += eps
    np.divide(g, buf, out=buf)
    buf *= -clr
    param += buf


# ---------------------------------------------------------------------- Adadelta
class Adadelta(Optimizer):
    """Adadelta, as `torch.optim.Adadelta`.

    Per step: `g += weight_decay * p`; `v = rho v + (1 - rho) g^2`;
    `dx = sqrt(u + eps) / sqrt(v + eps) * g`; `u = rho u + (1 - rho) dx^2`; `p -= lr dx`.

    Shapes: `square_avg` and `acc_delta` have their parameter's shape.

    Example:
        >>> opt = Adadelta(params, lr=1.0, rho=0.9)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_range(hp, "rho", 0.0, 1.0, "rho")
        _check_nonneg(hp, "eps", "epsilon value")
        _check_nonneg(hp, "weight_decay", "weight_decay value")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["square_avg"] = np.zeros_like(param._data)
        state["acc_delta"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        state["step"] += 1
        adadelta_update(param, grad, state["square_avg"], state["acc_delta"], lr=group["lr"],
                        rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                        maximize=group["maximize"], scratch=self._scratch(param))


def adadelta_update(param, grad, square_avg, acc_delta, *, lr=1.0, rho=0.9, eps=1e-6,
                    weight_decay=0.0, maximize=False, scratch=None):
    """One Adadelta step on arrays, in place on `param`, `square_avg` and `acc_delta`.

    Args:
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, square_avg, acc_delta: the same shape.
    """
    g = _effective_grad(param, grad, weight_decay, maximize)
    buf = _buffer(scratch, param)
    delta = np.empty_like(param)
    square_avg *= rho
    np.multiply(g, g, out=buf)
    buf *= 1 - rho
    square_avg += buf
    np.add(square_avg, eps, out=buf)
    np.sqrt(buf, out=buf)
    np.add(acc_delta, eps, out=delta)
    np.sqrt(delta, out=delta)
    delta /= buf
    delta *= g
    acc_delta *= rho
    np.multiply(delta, delta, out=buf)
    buf *= 1 - rho
    acc_delta += buf
    delta *= -lr
    param += delta
