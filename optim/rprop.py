"""Resilient backpropagation: Rprop, which steps by the sign of the gradient alone."""
import numpy as np

from .optimizer import Optimizer, _check_nonneg

__all__ = ["Rprop", "rprop_update"]


class Rprop(Optimizer):
    """Rprop, as `torch.optim.Rprop`.

    Per step and element: if the gradient kept its sign since the last step the step size grows
    by `etas[1]`, if it flipped the step size shrinks by `etas[0]` and this step is skipped (the
    stored gradient becomes 0); step sizes stay within `step_sizes`; `p -= sign(g) * step_size`.
    Step sizes start at `lr`.

    Shapes: `prev` and `step_size` have their parameter's shape.

    Example:
        >>> opt = Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        if "etas" in hp:
            etaminus, etaplus = hp["etas"]
            if not 0.0 < etaminus < 1.0 < etaplus:
                raise ValueError(f"Invalid eta values: {etaminus}, {etaplus}")

    def _init_state(self, param, state, group):
        state["step"] = 0
        state["prev"] = np.zeros_like(param._data)
        state["step_size"] = np.full_like(param._grad._data, group["lr"])

    def _update(self, param, grad, state, group):
        state["step"] += 1
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        rprop_update(param, grad, state["prev"], state["step_size"], etaminus=etaminus,
                     etaplus=etaplus, step_size_min=lo, step_size_max=hi,
                     maximize=group["maximize"])


def rprop_update(param, grad, prev, step_size, *, etaminus=0.5, etaplus=1.2,
                 step_size_min=1e-6, step_size_max=50.0, maximize=False):
    """One Rprop step on arrays, in place on `param`, `prev` and `step_size`.

    Shapes: param, grad, prev, step_size: the same shape.
    """
    # (out= keeps 0-dim arrays arrays, not NumPy scalars)
    g = np.negative(grad, out=np.empty_like(grad)) if maximize else np.array(grad, copy=True)
    factor = np.sign(np.multiply(g, prev, out=np.empty_like(g)), out=np.empty_like(g))
    grew, shrank, kept = factor > 0, factor < 0, factor == 0
    factor[grew] = etaplus
    factor[shrank] = etaminus
    factor[kept] = 1
    step_size *= factor
    np.clip(step_size, step_size_min, step_size_max, out=step_size)
    g[shrank] = 0  # a flipped sign: no step now, and no flip to see at the next step
    param -= np.multiply(np.sign(g), step_size, out=factor)
    prev[...] = g
