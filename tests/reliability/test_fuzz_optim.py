"""Random optimizer runs against NumPy references of the published algorithms.

Each example draws an optimizer (SGD, Adam, AdamW, RMSprop, Adagrad), valid hyperparameters
(every flag included), one or two parameter groups with their own hyperparameters, parameters
of random shapes (0-d and empty included) in float64 or float32, and a sequence of gradients in
which a parameter sometimes has no gradient (and is then skipped, its state untouched). The
optimizer's trajectory must equal the reference's: to 1e-12 relative in float64, 1e-5 in
float32. The references follow PyTorch's documented pseudo-code line by line, with fresh arrays
(no in-place tricks), independently of `optim` and of tests/optim/optim_reference.py.
"""
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import autograd as A
import optim


# ---------------------------------------------------------------------- references
def ref_sgd(p, g, s, t, lr, momentum, dampening, weight_decay, nesterov, maximize):
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    if momentum:
        b = g if "b" not in s else momentum * s["b"] + (1 - dampening) * g
        s["b"] = b
        g = g + momentum * b if nesterov else b
    return p - lr * g


def ref_adam(p, g, s, t, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled):
    b1, b2 = betas
    g = -g if maximize else g
    if decoupled:
        p = p * (1 - lr * weight_decay)
    elif weight_decay:
        g = g + weight_decay * p
    m = b1 * s.get("m", 0.0) + (1 - b1) * g
    v = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    s["m"], s["v"] = m, v
    m_hat = m / (1 - b1 ** t)
    if amsgrad:
        s["vmax"] = np.maximum(s.get("vmax", 0.0), v)
        v = s["vmax"]
    v_hat = v / (1 - b2 ** t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def ref_rmsprop(p, g, s, t, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    v = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
    s["v"] = v
    if centered:
        s["ga"] = alpha * s.get("ga", 0.0) + (1 - alpha) * g
        v = v - s["ga"] * s["ga"]
    if momentum > 0:
        s["b"] = momentum * s.get("b", 0.0) + g / (np.sqrt(v) + eps)
        return p - lr * s["b"]
    return p - lr * g / (np.sqrt(v) + eps)


def ref_adagrad(p, g, s, t, lr, lr_decay, weight_decay, initial_accumulator_value, eps,
                maximize):
    g = -g if maximize else g
    if weight_decay:
        g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    return p - clr * g / (np.sqrt(s["sum"]) + eps)


# ---------------------------------------------------------------------- hyperparameters
_lr = st.floats(1e-4, 0.5)
_wd = st.sampled_from([0.0, 0.0, 1e-3, 0.1])
_betas = st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999))


def _sgd_hp(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
    nesterov = momentum > 0 and draw(st.booleans())
    return dict(lr=draw(_lr), momentum=momentum,
                dampening=0.0 if nesterov else draw(st.sampled_from([0.0, 0.1, 0.5])),
                weight_decay=draw(_wd), nesterov=nesterov, maximize=draw(st.booleans()))


def _adam_hp(draw):
    return dict(lr=draw(_lr), betas=draw(_betas), eps=draw(st.sampled_from([1e-8, 1e-3, 0.0])),
                weight_decay=draw(_wd), amsgrad=draw(st.booleans()), maximize=draw(st.booleans()))


def _rmsprop_hp(draw):
    return dict(lr=draw(st.floats(1e-4, 0.05)), alpha=draw(st.floats(0.5, 0.999)),
                eps=draw(st.sampled_from([1e-8, 1e-2])), weight_decay=draw(_wd),
                momentum=draw(st.sampled_from([0.0, 0.9])), centered=draw(st.booleans()),
                maximize=draw(st.booleans()))


def _adagrad_hp(draw):
    return dict(lr=draw(_lr), lr_decay=draw(st.sampled_from([0.0, 0.01, 0.5])),
                weight_decay=draw(_wd),
                initial_accumulator_value=draw(st.sampled_from([0.0, 0.1, 1.0])),
                eps=draw(st.sampled_from([1e-10, 1e-3])), maximize=draw(st.booleans()))


OPTIMIZERS = {
    "SGD": (optim.SGD, _sgd_hp, ref_sgd, {}),
    "Adam": (optim.Adam, _adam_hp, ref_adam, {"decoupled": False}),
    "AdamW": (optim.AdamW, _adam_hp, ref_adam, {"decoupled": True}),
    "RMSprop": (optim.RMSprop, _rmsprop_hp, ref_rmsprop, {}),
    "Adagrad": (optim.Adagrad, _adagrad_hp, ref_adagrad, {}),
}


@st.composite
def runs(draw):
    name = draw(st.sampled_from(sorted(OPTIMIZERS)))
    cls, hp_fn, _, _ = OPTIMIZERS[name]
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    n_groups = draw(st.integers(1, 2))
    groups = []
    for _ in range(n_groups):
        shapes = draw(st.lists(st.lists(st.integers(0, 3), max_size=2).map(tuple), min_size=1,
                               max_size=2))
        groups.append((hp_fn(draw), shapes))
    steps = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    n_params = sum(len(s) for _, s in groups)
    # which parameter has a gradient at which step (each has one at least once)
    has_grad = [[draw(st.booleans()) or k == 0 for _ in range(n_params)] for k in range(steps)]
    return dict(name=name, dtype=dtype, groups=groups, steps=steps, seed=rng.integers(2 ** 31),
                has_grad=has_grad)


@given(runs())
def test_random_optimizer_runs_follow_the_published_algorithm(run):
    cls, _, ref, extra = OPTIMIZERS[run["name"]]
    rng = np.random.default_rng(run["seed"])
    dtype = run["dtype"]
    params, refs, groups = [], [], []
    for hp, shapes in run["groups"]:
        ps = [A.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
        params += [(p, hp) for p in ps]
        groups.append(dict(params=ps, **hp))
    refs = [np.array(p._data, dtype=np.float64) for p, _ in params]
    states = [{} for _ in params]
    counts = [0] * len(params)
    opt = cls(groups)
    for k in range(run["steps"]):
        grads = [rng.standard_normal(p.shape) for p, _ in params]
        for j, ((p, hp), g) in enumerate(zip(params, grads)):
            if run["has_grad"][k][j]:
                p.grad = A.tensor(g.astype(dtype))
                counts[j] += 1
                refs[j] = ref(refs[j], g.astype(dtype).astype(np.float64), states[j], counts[j],
                              **hp, **extra)
            else:
                p.grad = None
        opt.step()
    rtol = 1e-12 if dtype == np.float64 else 2e-5
    for j, ((p, _), r) in enumerate(zip(params, refs)):
        scale = 1 + np.abs(r).max(initial=0)
        np.testing.assert_allclose(p._data, r, rtol=rtol, atol=rtol * scale * 10,
                                   err_msg=f"parameter {j} after {run['steps']} steps")
        assert p._data.dtype == dtype
