"""Shared test helpers: gradient checks of a module with respect to inputs and parameters."""
import contextlib

import numpy as np

import autograd
from autograd.gradcheck import gradcheck, gradgradcheck


@contextlib.contextmanager
def swapped_parameters(module, tensors):
    """Temporarily make `module` use `tensors` ({dotted name: Tensor}) as its parameters."""
    saved = []
    for name, t in tensors.items():
        owner_name, _, leaf = name.rpartition(".")
        owner = module.get_submodule(owner_name)
        saved.append((owner, leaf, owner._parameters[leaf]))
        owner._parameters[leaf] = t
    try:
        yield
    finally:
        for owner, leaf, p in saved:
            owner._parameters[leaf] = p


def check_module_grads(module, *inputs, second_order=False, **kwargs):
    """gradcheck (and optionally gradgradcheck) of `module(*inputs)` with respect to every
    float input that requires grad and every parameter, in float64."""
    module.double()
    names = [n for n, _ in module.named_parameters()]
    params = [p for _, p in module.named_parameters()]
    n_in = len(inputs)

    def fn(*args):
        with swapped_parameters(module, dict(zip(names, args[n_in:]))):
            return module(*args[:n_in])

    args = tuple(inputs) + tuple(params)
    assert gradcheck(fn, args, **kwargs)
    if second_order:
        assert gradgradcheck(fn, args, **kwargs)
    return True


def randn(*shape, requires_grad=True, dtype=autograd.float64, scale=1.0, rng=None):
    rng = rng or np.random.default_rng(0)
    return autograd.tensor(scale * rng.standard_normal(shape), dtype=dtype,
                           requires_grad=requires_grad)


def away_from_zero(*shape, low=0.2, requires_grad=True, rng=None):
    """float64 values with |x| >= low (clear of the kinks of relu-like functions at 0)."""
    rng = rng or np.random.default_rng(1)
    mag = rng.uniform(low, 2.0, shape)
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return autograd.tensor(mag * sign, dtype=autograd.float64, requires_grad=requires_grad)
