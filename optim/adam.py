"""The Adam family: Adam, AdamW, Adamax, NAdam, RAdam (PyTorch's algorithms, step for step)."""
import math

import numpy as np

import autograd
from .optimizer import Optimizer, _buffer, _check_betas, _check_nonneg, _effective_grad

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam",
           "adam_update", "adamax_update", "nadam_update", "radam_update"]


def _check_adam_like(hp):
    _check_nonneg(hp, "lr", "learning rate")
    _check_nonneg(hp, "eps", "epsilon value")
    _check_betas(hp)
    _check_nonneg(hp, "weight_decay", "weight_decay value")


def _zeros_state(param, state, *keys):
    state["step"] = 0
    for k in keys:
        state[k] = np.zeros_like(param._data)


def _update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, buf):
    """`m = beta1 m + (1 - beta1) g`, `v = beta2 v + (1 - beta2) g^2`, in place; `buf` is
    scratch of the same shape."""
    exp_avg *= beta1
    np.multiply(g, 1 - beta1, out=buf)
    exp_avg += buf
    exp_avg_sq *= beta2
    np.multiply(g, g, out=buf)
    buf *= 1 - beta2
    exp_avg_sq += buf


def _decay_and_grad(param, grad, lr, weight_decay, decoupled, maximize):
    """Apply decoupled decay to `param` in place (AdamW style) or fold L2 decay into the
    gradient (Adam style); return the gradient the update uses."""
    if decoupled:
        if weight_decay != 0:
            param *= 1 - lr * weight_decay
        return _effective_grad(param, grad, 0, maximize)
    return _effective_grad(param, grad, weight_decay, maximize)


# ---------------------------------------------------------------------- Adam, AdamW
class Adam(Optimizer):
    """Adam, as `torch.optim.Adam` (L2 weight decay added to the gradient).

    Per step t: `g += weight_decay * p`; `m = b1 m + (1-b1) g`; `v = b2 v + (1-b2) g^2`;
    with amsgrad `v_max = max(v_max, v)` replaces v below;
    `p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
    `decoupled_weight_decay=True` makes it AdamW.

    Shapes: every state array has its parameter's shape; `step` is an int.

    Example:
        >>> opt = Adam(params, lr=1e-3, betas=(0.9, 0.999))
        >>> opt.zero_grad(); loss_fn().backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_adam_like(hp)

    def _init_state(self, param, state, group):
        _zeros_state(param, state, "exp_avg", "exp_avg_sq")
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param._data)

    def _update_group(self, group, params):
        if (group["amsgrad"] or group["maximize"] or type(self)._update is not Adam._update
                or (group["weight_decay"] and not group.get("decoupled_weight_decay"))):
            super()._update_group(group, params)
            return
        # the common case, without per-parameter method calls: plain Adam, or AdamW's decay
        lr, eps, decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        states = self.state
        for p in params:
            param = p._data
            state = states[p]
            if not state:
                self._init_state(p, state, group)
            state["step"] = step = state["step"] + 1
            if decay:
                param *= 1 - lr * decay
            _adam_core(param, p._grad._data, state["exp_avg"], state["exp_avg_sq"],
                       state["exp_avg_sq"], step, lr, beta1, beta2, eps, self._scratch(param))

    def _update(self, param, grad, state, group):
        state["step"] += 1
        beta1, beta2 = group["betas"]
        max_sq = None
        if group["amsgrad"]:
            max_sq = state.setdefault("max_exp_avg_sq", np.zeros_like(param))
        adam_update(param, grad, state["exp_avg"], state["exp_avg_sq"], state["step"],
                    lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], amsgrad=group["amsgrad"],
                    max_exp_avg_sq=max_sq, maximize=group["maximize"],
                    decoupled_weight_decay=group.get("decoupled_weight_decay", False),
                    scratch=self._scratch(param))


class AdamW(Adam):
    """AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay, `p *= 1 - lr * wd`
    before the Adam step (the decay never enters the moments).

    Example:
        >>> opt = AdamW(params, lr=1e-3, weight_decay=1e-2)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


def adam_update(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps,
                weight_decay=0.0, amsgrad=False, max_exp_avg_sq=None, maximize=False,
                decoupled_weight_decay=False, scratch=None):
    """One Adam (or AdamW) step on arrays, in place on `param` and the state arrays.

    Args:
        step: the step number t >= 1 of this update (already incremented).
        max_exp_avg_sq: required when `amsgrad`; the running maximum of `exp_avg_sq`.
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq: the same shape.
    """
    g = _decay_and_grad(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    _adam_core(param, g, exp_avg, exp_avg_sq, max_exp_avg_sq if amsgrad else exp_avg_sq, step,
               lr, beta1, beta2, eps, _buffer(scratch, param))


def _adam_core(param, g, exp_avg, exp_avg_sq, v, step, lr, beta1, beta2, eps, buf):
    """The moments and the step: `v` is `exp_avg_sq`, or (amsgrad) the running maximum that is
    updated here from it."""
    _update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, buf)
    if v is not exp_avg_sq:
        np.maximum(v, exp_avg_sq, out=v)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    np.sqrt(v, out=buf)
    buf /= math.sqrt(bias_correction2)
    buf += eps
    np.divide(exp_avg, buf, out=buf)
    buf *= -(lr / bias_correction1)
    param += buf


# ---------------------------------------------------------------------- Adamax
class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), as `torch.optim.Adamax`.

    Per step t: `g += weight_decay * p`; `m = b1 m + (1-b1) g`; `u = max(b2 u, |g| + eps)`;
    `p -= lr / (1 - b1^t) * m / u`.

    Example:
        >>> opt = Adamax(params, lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_adam_like(hp)

    def _init_state(self, param, state, group):
        _zeros_state(param, state, "exp_avg", "exp_inf")

    def _update(self, param, grad, state, group):
        state["step"] += 1
        beta1, beta2 = group["betas"]
        adamax_update(param, grad, state["exp_avg"], state["exp_inf"], state["step"],
                      lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                      weight_decay=group["weight_decay"], maximize=group["maximize"],
                      scratch=self._scratch(param))


def adamax_update(param, grad, exp_avg, exp_inf, step, *, lr, beta1, beta2, eps,
                  weight_decay=0.0, maximize=False, scratch=None):
    """One Adamax step on arrays, in place on `param`, `exp_avg` and `exp_inf`.

    Args:
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, exp_avg, exp_inf: the same shape.
    """
    g = _effective_grad(param, grad, weight_decay, maximize)
    buf = _buffer(scratch, param)
    exp_avg *= beta1
    np.multiply(g, 1 - beta1, out=buf)
    exp_avg += buf
    exp_inf *= beta2
    np.abs(g, out=buf)
    buf += eps
    np.maximum(exp_inf, buf, out=exp_inf)
    np.divide(exp_avg, exp_inf, out=buf)
    buf *= -(lr / (1 - beta1 ** step))
    param += buf


# ---------------------------------------------------------------------- NAdam
def _scalar_dtype():
    return np.float64 if autograd.get_default_dtype() == np.float64 else np.float32


class NAdam(Optimizer):
    """NAdam (Adam with Nesterov momentum), as `torch.optim.NAdam`.

    Per step t: `mu_t = b1 (1 - 0.5 * 0.96^(t psi))` with psi = momentum_decay;
    moments as in Adam; `p -= lr (1 - mu_t) / (1 - prod_{i<=t} mu_i) * g / d
    + lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i) * m / d` with `d = sqrt(v / (1 - b2^t)) + eps`.
    `mu_product` is kept as a 0-dim array of the default float dtype (float64 if that is the
    default, else float32), as PyTorch keeps it.

    Example:
        >>> opt = NAdam(params, lr=2e-3, momentum_decay=4e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_adam_like(hp)
        _check_nonneg(hp, "momentum_decay", "momentum_decay value")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["mu_product"] = np.ones((), dtype=_scalar_dtype())
        state["exp_avg"] = np.zeros_like(param._data)
        state["exp_avg_sq"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        state["step"] += 1
        beta1, beta2 = group["betas"]
        nadam_update(param, grad, state["exp_avg"], state["exp_avg_sq"], state["mu_product"],
                     state["step"], lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"],
                     maximize=group["maximize"], scratch=self._scratch(param))


def nadam_update(param, grad, exp_avg, exp_avg_sq, mu_product, step, *, lr, beta1, beta2, eps,
                 weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
                 maximize=False, scratch=None):
    """One NAdam step on arrays, in place on `param`, the moments and `mu_product`.

    Args:
        mu_product: a 0-dim array holding prod_{i<t} mu_i; multiplied by mu_t in place.
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, exp_avg, exp_avg_sq: the same shape; mu_product: ().
    """
    g = _decay_and_grad(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    buf = _buffer(scratch, param)
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    mu_product *= mu
    _update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, buf)
    np.divide(exp_avg_sq, 1 - beta2 ** step, out=buf)
    np.sqrt(buf, out=buf)
    buf += eps
    prod = float(mu_product)
    prod_next = prod * mu_next
    term = g if g is not grad else np.empty_like(param)
    np.divide(g, buf, out=term)
    term *= -(lr * (1.0 - mu) / (1.0 - prod))
    param += term
    np.divide(exp_avg, buf, out=buf)
    buf *= -(lr * mu_next / (1.0 - prod_next))
    param += buf


# ---------------------------------------------------------------------- RAdam
class RAdam(Optimizer):
    """RAdam (rectified Adam), as `torch.optim.RAdam`.

    Per step t: moments as in Adam; `rho_inf = 2 / (1 - b2) - 1`,
    `rho_t = rho_inf - 2 t b2^t / (1 - b2^t)`; if rho_t > 5 the step is Adam's scaled by the
    rectification `r_t = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t))`
    (with eps added to sqrt(v) before the bias correction), else plain momentum
    `p -= lr m / (1 - b1^t)`.

    Example:
        >>> opt = RAdam(params, lr=1e-3, decoupled_weight_decay=True, weight_decay=1e-2)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_adam_like(hp)

    def _init_state(self, param, state, group):
        _zeros_state(param, state, "exp_avg", "exp_avg_sq")

    def _update(self, param, grad, state, group):
        state["step"] += 1
        beta1, beta2 = group["betas"]
        radam_update(param, grad, state["exp_avg"], state["exp_avg_sq"], state["step"],
                     lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"],
                     maximize=group["maximize"], scratch=self._scratch(param))


def radam_update(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps,
                 weight_decay=0.0, decoupled_weight_decay=False, maximize=False, scratch=None):
    """One RAdam step on arrays, in place on `param` and the moments.

    Args:
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, exp_avg, exp_avg_sq: the same shape.
    """
    g = _decay_and_grad(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    buf = _buffer(scratch, param)
    _update_moments(g, exp_avg, exp_avg_sq, beta1, beta2, buf)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if rho_t > 5.0:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                         / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        np.sqrt(exp_avg_sq, out=buf)
        buf += eps
        np.divide(exp_avg, buf, out=buf)
        buf *= -(lr * rect * math.sqrt(bias_correction2) / bias_correction1)
    else:
        np.multiply(exp_avg, -(lr / bias_correction1), out=buf)
    param += buf
