"""Lion (EvoLved Sign Momentum; Chen et al., 2023, "Symbolic Discovery of Optimization
Algorithms"): the step is the sign of an interpolated momentum, with decoupled weight decay."""
import numpy as np

from .optimizer import Optimizer, _buffer, _check_betas, _check_nonneg

__all__ = ["Lion", "lion_update"]


class Lion(Optimizer):
    """Lion, following the paper's Algorithm 2 (not in PyTorch).

    Per step: `c = b1 m + (1 - b1) g`; `p -= lr (sign(c) + weight_decay p)`;
    `m = b2 m + (1 - b2) g`. Because every coordinate moves by exactly lr, the paper advises a
    learning rate 3-10x smaller than AdamW's and a weight decay 3-10x larger.

    Shapes: `exp_avg` has its parameter's shape.

    Example:
        >>> opt = Lion(params, lr=1e-4, betas=(0.9, 0.99), weight_decay=1e-2)
        >>> opt.zero_grad(); loss_fn().backward(); opt.step()
    """

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, maximize=False,
                 foreach=None):
        defaults = dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach)
        super().__init__(params, defaults)

    def _validate(self, hp):
        _check_nonneg(hp, "lr", "learning rate")
        _check_betas(hp)
        _check_nonneg(hp, "weight_decay", "weight_decay value")

    def _init_state(self, param, state, group):
        state["exp_avg"] = np.zeros_like(param._data)

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        lion_update(param, grad, state["exp_avg"], lr=group["lr"], beta1=beta1, beta2=beta2,
                    weight_decay=group["weight_decay"], maximize=group["maximize"],
                    scratch=self._scratch(param))


def lion_update(param, grad, exp_avg, *, lr, beta1=0.9, beta2=0.99, weight_decay=0.0,
                maximize=False, scratch=None):
    """One Lion step on arrays, in place on `param` and `exp_avg`.

    Args:
        scratch: a work array shaped like `param`, overwritten (allocated when None).

    Shapes: param, grad, exp_avg: the same shape.
    """
    g = np.negative(grad, out=np.empty_like(grad)) if maximize else grad
    if weight_decay != 0:
        param *= 1 - lr * weight_decay
    buf = np.multiply(exp_avg, beta1, out=_buffer(scratch, param))
    tmp = np.multiply(g, 1 - beta1, out=np.empty_like(param))
    buf += tmp
    np.sign(buf, out=buf)
    buf *= -lr
    param += buf
    exp_avg *= beta2
    np.multiply(g, 1 - beta2, out=tmp)
    exp_avg += tmp
