"""Every optimizer follows its published algorithm: 20-step trajectories and random valid
hyperparameters (hypothesis) against the NumPy re-implementations in `optim_reference`."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd
import optim
import optim_reference as ref

STEPS = 20


@contextlib.contextmanager
def float64_default():
    """NAdam keeps mu_product in the default float dtype (float32 normally), as PyTorch does;
    a float64 default makes its float64 run comparable with the reference at double rounding."""
    old = autograd.get_default_dtype()
    autograd.set_default_dtype(autograd.float64)
    try:
        yield
    finally:
        autograd.set_default_dtype(old)


def run_optimizer(cls, hp, grad_fn, theta0, steps):
    """Run `cls` on float64 copies of `theta0`, feeding gradients from `grad_fn`; check that no
    gradient array is modified by the step. Returns the final arrays."""
    params = [autograd.tensor(t.copy(), requires_grad=True) for t in theta0]
    opt = cls(params, **hp)
    with float64_default() if cls is optim.NAdam else contextlib.nullcontext():
        for k in range(steps):
            grads = grad_fn([p._data.copy() for p in params], k)
            for p, g in zip(params, grads):
                p.grad = autograd.tensor(g)
            opt.step()
            for p, g in zip(params, grads):
                np.testing.assert_array_equal(p.grad._data, g,
                                              err_msg="the step modified p.grad")
    return [p._data for p in params]


def negated(grad_fn):
    """Gradients of the negated objective: maximizing it is minimizing the original."""
    return lambda thetas, k: [np.asarray(-g) for g in grad_fn(thetas, k)]


# (optimizer, reference, hyperparameter sets); every set is run for STEPS steps.
CASES = {
    "SGD": (optim.SGD, ref.ref_sgd, [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
        dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
        dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)]),
    "Adam": (optim.Adam, ref.ref_adam, [
        dict(lr=0.05),
        dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1),
        dict(lr=0.05, amsgrad=True),
        dict(lr=0.05, amsgrad=True, weight_decay=0.05, maximize=True)]),
    "AdamW": (optim.AdamW, ref.ref_adamw, [
        dict(lr=0.05),
        dict(lr=0.05, weight_decay=0.3, amsgrad=True),
        dict(lr=0.05, weight_decay=0.1, maximize=True)]),
    "Adamax": (optim.Adamax, ref.ref_adamax, [
        dict(lr=0.05),
        dict(lr=0.05, betas=(0.7, 0.8), eps=1e-3, weight_decay=0.1, maximize=True)]),
    "NAdam": (optim.NAdam, ref.ref_nadam, [
        dict(lr=0.05),
        dict(lr=0.05, momentum_decay=0.1, weight_decay=0.1),
        dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)]),
    "RAdam": (optim.RAdam, ref.ref_radam, [
        dict(lr=0.05),
        dict(lr=0.05, betas=(0.8, 0.6), weight_decay=0.1),
        dict(lr=0.05, betas=(0.8, 0.6), weight_decay=0.1, decoupled_weight_decay=True,
             maximize=True)]),
    "RMSprop": (optim.RMSprop, ref.ref_rmsprop, [
        dict(lr=0.01),
        dict(lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.1),
        dict(lr=0.01, centered=True),
        dict(lr=0.01, centered=True, momentum=0.9, maximize=True)]),
    "Adagrad": (optim.Adagrad, ref.ref_adagrad, [
        dict(lr=0.1),
        dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5),
        dict(lr=0.1, eps=1e-3, maximize=True)]),
    "Adadelta": (optim.Adadelta, ref.ref_adadelta, [
        dict(),
        dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1),
        dict(lr=2.0, maximize=True)]),
    "Lion": (optim.Lion, ref.ref_lion, [
        dict(lr=0.01),
        dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.5),
        dict(lr=0.01, weight_decay=0.1, maximize=True)]),
    "LAMB": (optim.LAMB, ref.ref_lamb, [
        dict(lr=0.05),
        dict(lr=0.05, weight_decay=0.1, betas=(0.8, 0.9)),
        dict(lr=0.05, bias_correction=False, eps=1e-3, maximize=True)]),
    "Adafactor": (optim.Adafactor, ref.ref_adafactor, [
        dict(),
        dict(lr=0.05, weight_decay=0.1, d=1.5, eps=(1e-3, 1e-2)),
        dict(lr=0.05, beta2_decay=-0.5, maximize=True)]),
    "Rprop": (optim.Rprop, ref.ref_rprop, [
        dict(),
        dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)),
        dict(lr=0.5, step_sizes=(1e-2, 0.1), maximize=True)]),
    "ASGD": (optim.ASGD, ref.ref_asgd, [
        dict(lr=0.05),
        dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=5, weight_decay=0.1),
        dict(lr=0.05, t0=0, maximize=True)]),
}

PARAMS = [(name, i) for name, (_, _, hps) in CASES.items() for i in range(len(hps))]

RTOL = {}


@pytest.mark.parametrize("name,case", PARAMS, ids=[f"{n}-{i}" for n, i in PARAMS])
def test_twenty_step_trajectory_matches_numpy_reference(name, case):
    cls, reference, hps = CASES[name]
    hp = hps[case]
    theta0, grad_fn = ref.grad_problem(seed=case)
    if hp.get("maximize"):
        grad_fn = negated(grad_fn)
    got = run_optimizer(cls, hp, grad_fn, theta0, STEPS)
    want = reference(theta0, grad_fn, STEPS, **hp)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=RTOL.get(name, 1e-10), atol=1e-12)
    assert not all(np.allclose(g, t) for g, t in zip(got, theta0)), "nothing moved"


# ---------------------------------------------------------------------- random hyperparameters
lr = st.floats(1e-4, 0.1)
beta = st.floats(0.0, 0.999)
decay = st.sampled_from([0.0]) | st.floats(1e-4, 0.5)
eps = st.floats(1e-10, 1e-2)
flag = st.booleans()

STRATEGIES = {
    "SGD": st.fixed_dictionaries(dict(lr=lr,
                                      momentum=st.sampled_from([0.0]) | st.floats(0.01, 0.99),
                                      dampening=st.sampled_from([0.0]) | st.floats(0.0, 0.9),
                                      weight_decay=decay, maximize=flag)),
    "Adam": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), eps=eps,
                                       weight_decay=decay, amsgrad=flag, maximize=flag)),
    "AdamW": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), eps=eps,
                                        weight_decay=decay, amsgrad=flag, maximize=flag)),
    "Adamax": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), eps=eps,
                                         weight_decay=decay, maximize=flag)),
    "NAdam": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), eps=eps,
                                        weight_decay=decay, momentum_decay=st.floats(0.0, 0.1),
                                        decoupled_weight_decay=flag, maximize=flag)),
    "RAdam": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), eps=eps,
                                        weight_decay=decay, decoupled_weight_decay=flag,
                                        maximize=flag)),
    # NOTE: alpha = 0 with centered=True makes v - g_avg^2 a rounding-level difference whose
    # square root can be NaN (in PyTorch too), so alpha stays away from 0
    "RMSprop": st.fixed_dictionaries(dict(lr=lr, alpha=st.floats(0.05, 0.999), eps=eps,
                                          weight_decay=decay, momentum=st.floats(0.0, 0.99),
                                          centered=flag, maximize=flag)),
    "Adagrad": st.fixed_dictionaries(dict(lr=lr, lr_decay=st.floats(0.0, 0.5), eps=eps,
                                          weight_decay=decay,
                                          initial_accumulator_value=st.floats(0.0, 1.0),
                                          maximize=flag)),
    "Adadelta": st.fixed_dictionaries(dict(lr=st.floats(0.01, 2.0), rho=st.floats(0.0, 0.99),
                                           eps=st.floats(1e-8, 1e-2), weight_decay=decay,
                                           maximize=flag)),
    "Lion": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), weight_decay=decay,
                                       maximize=flag)),
    "LAMB": st.fixed_dictionaries(dict(lr=lr, betas=st.tuples(beta, beta), eps=eps,
                                       weight_decay=decay, bias_correction=flag,
                                       maximize=flag)),
    "Adafactor": st.fixed_dictionaries(dict(lr=lr, beta2_decay=st.floats(-1.0, -0.1),
                                            eps=st.tuples(st.none() | st.floats(1e-30, 1e-3),
                                                          st.floats(1e-5, 1e-2)),
                                            d=st.floats(1.0, 3.0), weight_decay=decay,
                                            maximize=flag)),
    "Rprop": st.fixed_dictionaries(dict(lr=lr, etas=st.tuples(st.floats(0.05, 0.95),
                                                              st.floats(1.05, 3.0)),
                                        step_sizes=st.tuples(st.floats(1e-8, 1e-3),
                                                             st.floats(0.01, 50.0)),
                                        maximize=flag)),
    "ASGD": st.fixed_dictionaries(dict(lr=lr, lambd=st.floats(0.0, 0.1),
                                       alpha=st.floats(0.1, 1.0), t0=st.floats(0.0, 10.0),
                                       weight_decay=decay, maximize=flag)),
}


def _sgd_valid(hp):
    """The SGD draw, plus its Nesterov variant when Nesterov is valid for it."""
    if hp["momentum"] > 0 and hp["dampening"] == 0:
        return [hp, {**hp, "nesterov": True}]
    return [hp]


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_random_valid_hyperparameters_match_numpy_reference(name):
    cls, reference, _ = CASES[name]

    @given(hp=STRATEGIES[name], seed=st.integers(0, 2 ** 16))
    def check(hp, seed):
        theta0, grad_fn = ref.grad_problem(seed=seed, shapes=((2, 3), (4,)))
        for h in (_sgd_valid(hp) if name == "SGD" else [hp]):
            got = run_optimizer(cls, h, grad_fn, theta0, 5)
            want = reference(theta0, grad_fn, 5, **h)
            for g, w in zip(got, want):
                assert np.all(np.isfinite(g)), f"non-finite parameters with {h}"
                np.testing.assert_allclose(g, w, rtol=RTOL.get(name, 1e-9), atol=1e-9)
    check()
