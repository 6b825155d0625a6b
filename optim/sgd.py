"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""
import numpy as np

from .optimizer import _BLOCK, Optimizer, _buffer, _check_nonneg, _effective_grad

__all__ = ["SGD", "sgd_update"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as `torch.optim.SGD`.

    Per step, with g the gradient (negated under `maximize`):
    `g += weight_decay * p`; `b = g` at the first step, else `b = momentum * b + (1 - dampening)
    * g`; `g = g + momentum * b` (nesterov) or `g = b`; `p -= lr * g`.

    Shapes: every state array has its parameter's shape.

    Example:
        >>> opt = SGD([w, b], lr=0.1, momentum=0.9, nesterov=True)
        >>> loss = ((x @ w + b - y) ** 2).mean()
        >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_nonneg(hp, "momentum", "momentum value")
        _check_nonneg(hp, "weight_decay", "weight_decay value")
        if hp.get("nesterov") and (hp.get("momentum", 0) <= 0 or hp.get("dampening", 0) != 0):
            raise ValueError(f"Nesterov momentum requires a momentum and zero dampening (got "
                             f"momentum={hp.get('momentum', 0)}, "
                             f"dampening={hp.get('dampening', 0)})")

    def _update_group(self, group, params):
        if (group["momentum"] or group["weight_decay"] or group["maximize"]
                or type(self)._update is not SGD._update):  # (a subclass's own update runs)
            super()._update_group(group, params)
            return
        lr = group["lr"]
        for p in params:  # plain SGD, the common case: no state, no per-parameter calls
            param, grad = p._data, p._grad._data
            block = self._block_buffers.get(param.dtype)
            if block is None:
                block = self._block_buffer(param.dtype)
            n = param.size
            if n <= _BLOCK:
                np.subtract(param, np.multiply(grad, lr, out=block[:n].reshape(param.shape)),
                            out=param)
            else:
                _blockwise_step(param, grad, lr, block)

    def _update(self, param, grad, state, group):
        momentum = group["momentum"]
        buf = state.get("momentum_buffer")
        new_buf = sgd_update(param, grad, buf, lr=group["lr"], momentum=momentum,
                             dampening=group["dampening"], weight_decay=group["weight_decay"],
                             nesterov=group["nesterov"], maximize=group["maximize"],
                             scratch=self._scratch(param))
        if momentum != 0:
            state["momentum_buffer"] = new_buf


def _blockwise_step(param, grad, lr, block):
    """`param -= lr * grad` through `block` (1-D, `_BLOCK` long) one block at a time: the step
    needs no parameter-sized temporary, so a training step's peak memory stays that of its
    arrays."""
    if not (param.flags.c_contiguous and grad.flags.c_contiguous):
        param -= np.multiply(grad, lr)  # strided arrays: one temporary
        return
    p, g = param.reshape(-1), grad.reshape(-1)
    for start in range(0, p.size, _BLOCK):
        p_part = p[start:start + _BLOCK]  # (not `p[a:b] -= x`: that also runs a setitem)
        step = np.multiply(g[start:start + _BLOCK], lr, out=block[:p_part.size])
        np.subtract(p_part, step, out=p_part)


def sgd_update(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0,
               weight_decay=0.0, nesterov=False, maximize=False, scratch=None):
    """One SGD step on arrays, in place on `param` (and `momentum_buffer`).

    Args:
        momentum_buffer: the buffer from the previous step, or None at the first step (it is
            then created as a copy of the gradient, without dampening, as PyTorch does).

    Returns:
        The momentum buffer (a new array at the first step), or None when momentum is 0.

    Shapes: param, grad, momentum_buffer: the same shape.
    """
    # Temporaries live in `scratch`, one at a time (weight decay or maximize still copy g).
    g = _effective_grad(param, grad, weight_decay, maximize)
    if momentum != 0:
        if momentum_buffer is None:
            momentum_buffer = np.array(g, copy=True)
        else:
            momentum_buffer *= momentum
            if dampening == 0:
                momentum_buffer += g
            else:
                momentum_buffer += np.multiply(g, 1 - dampening, out=_buffer(scratch, param))
        if nesterov:
            step_dir = np.multiply(momentum_buffer, momentum, out=_buffer(scratch, param))
            step_dir += g
        else:
            step_dir = momentum_buffer
    else:
        momentum_buffer = None
        step_dir = g
    if step_dir is grad or step_dir is momentum_buffer:
        # NOTE: the gradient and the buffer must both survive the step unchanged
        step_dir = np.multiply(step_dir, lr, out=_buffer(scratch, param))
    else:
        step_dir *= lr
    param -= step_dir
    return momentum_buffer
