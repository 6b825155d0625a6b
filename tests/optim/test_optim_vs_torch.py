"""Against PyTorch itself (skipped when torch is not installed): 20-step float32 trajectories of
every optimizer PyTorch has, their state dicts, a checkpoint moved from torch to optim, and the
lr (and momentum) sequences of every scheduler."""
import warnings

import numpy as np
import pytest

import autograd
import optim
import optim_reference as ref
from optim import lr_scheduler as S

torch = pytest.importorskip("torch")
TS = torch.optim.lr_scheduler

STEPS = 20

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1, betas=(0.8, 0.9))),
    ("Adam", dict(lr=0.05, maximize=True, decoupled_weight_decay=True, weight_decay=0.3)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, amsgrad=True, weight_decay=0.5, maximize=True)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, maximize=True, eps=1e-3)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.6), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.6), weight_decay=0.1, decoupled_weight_decay=True,
                   maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1,
                     maximize=True)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, rho=0.5, maximize=True)),
    ("Adafactor", dict(lr=0.05)),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, d=1.5, eps=(1e-3, 1e-2))),
    ("Adafactor", dict(lr=0.05, maximize=True, beta2_decay=-0.5)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=5, weight_decay=0.1, maximize=True)),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
SHAPES = ((3, 4), (2, 3, 2), (5,), ())


def _problem(hp):
    theta0, grad_fn = ref.grad_problem(seed=3, shapes=SHAPES, dtype=np.float32)
    if hp.get("maximize"):
        return theta0, lambda th, k: [np.asarray(-g) for g in grad_fn(th, k)]
    return theta0, grad_fn


def run_ours(name, hp, steps=STEPS):
    theta0, grad_fn = _problem(hp)
    params = [autograd.tensor(t.copy(), requires_grad=True) for t in theta0]
    opt = getattr(optim, name)(params, **hp)
    for k in range(steps):
        for p, g in zip(params, grad_fn([p._data for p in params], k)):
            p.grad = autograd.tensor(g)
        opt.step()
    return params, opt


def run_torch(name, hp, steps=STEPS):
    theta0, grad_fn = _problem(hp)
    params = [torch.tensor(t.copy(), requires_grad=True) for t in theta0]
    opt = getattr(torch.optim, name)(params, **hp)
    for k in range(steps):
        for p, g in zip(params, grad_fn([p.detach().numpy() for p in params], k)):
            p.grad = torch.from_numpy(g.copy())
        opt.step()
    return params, opt


@pytest.mark.parametrize("name,hp", CASES, ids=IDS)
def test_twenty_step_trajectory_matches_torch(name, hp):
    ours, _ = run_ours(name, hp)
    theirs, _ = run_torch(name, hp)
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name,hp", CASES, ids=IDS)
def test_state_dict_matches_torch(name, hp):
    _, ours = run_ours(name, hp, steps=3)
    _, theirs = run_torch(name, hp, steps=3)
    a, b = ours.state_dict(), theirs.state_dict()
    assert sorted(a["state"]) == sorted(b["state"])
    for i in b["state"]:
        assert list(a["state"][i]) == list(b["state"][i])
        for key, want in b["state"][i].items():
            got = a["state"][i][key]
            assert isinstance(got, autograd.Tensor)
            assert got.shape == tuple(want.shape) and str(got.dtype) == str(want.dtype)[6:]
            np.testing.assert_allclose(got._data, want.numpy(), rtol=2e-5, atol=1e-7)
    assert len(a["param_groups"]) == len(b["param_groups"])
    for ga, gb in zip(a["param_groups"], b["param_groups"]):
        assert ga == gb


def test_a_torch_checkpoint_loads_and_continues_like_torch():
    hp = dict(lr=0.05, amsgrad=True, weight_decay=0.1)
    _, theirs = run_torch("Adam", hp, steps=5)
    sd = theirs.state_dict()
    converted = {"state": {i: {k: autograd.tensor(v.numpy()) for k, v in st.items()}
                           for i, st in sd["state"].items()},
                 "param_groups": sd["param_groups"]}
    # parameters as torch left them, then 5 more steps on both sides
    torch_params = theirs.param_groups[0]["params"]
    ours = [autograd.tensor(p.detach().numpy().copy(), requires_grad=True) for p in torch_params]
    opt = optim.Adam(ours, **hp)
    opt.load_state_dict(converted)
    _, grad_fn = _problem(hp)
    for k in range(5, 10):
        for p, g in zip(ours, grad_fn([p._data for p in ours], k)):
            p.grad = autograd.tensor(g)
        opt.step()
        for p, g in zip(torch_params, grad_fn([p.detach().numpy() for p in torch_params], k)):
            p.grad = torch.from_numpy(g.copy())
        theirs.step()
    for a, b in zip(ours, torch_params):
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=2e-5, atol=2e-6)


# ---------------------------------------------------------------------- schedulers
SCHEDULES = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 0.9 ** e),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.95),
    "StepLR": lambda L, o: L.StepLR(o, 7, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, [3, 10, 10, 20], gamma=0.5),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=6),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=12),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=17, power=1.7),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=11, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=4, T_mult=2, eta_min=0.002),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=31),
    "OneCycleLR-3phase-linear": lambda L, o: L.OneCycleLR(
        o, max_lr=1.0, total_steps=40, three_phase=True, anneal_strategy="linear"),
    "CyclicLR": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                        step_size_down=6),
    "CyclicLR-triangular2": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                    step_size_up=3, mode="triangular2"),
    "CyclicLR-exp_range": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                  mode="exp_range", gamma=0.95),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, 0.1, total_iters=5), L.ExponentialLR(o, 0.9),
            L.CosineAnnealingLR(o, 8)], milestones=[5, 15]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=4), L.ExponentialLR(o, 0.9),
         L.StepLR(o, 5, 0.5)]),
}


def _schedule(lib, build, opt_name, metric=None, n=30):
    if lib == "torch":
        params = [torch.ones(2, requires_grad=True) for _ in range(2)]
        opt_cls, L = getattr(torch.optim, opt_name), TS
    else:
        params = [autograd.ones(2, requires_grad=True) for _ in range(2)]
        opt_cls, L = getattr(optim, opt_name), S
    kwargs = {"momentum": 0.9} if opt_name == "SGD" else {}
    opt = opt_cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1,
                  **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = build(L, opt)
        rows = []
        for k in range(n + 1):
            if k:
                opt.step()
                sched.step(metric(k)) if metric else sched.step()
            rows.append([g["lr"] for g in opt.param_groups]
                        + [g["momentum"] if "momentum" in g else g["betas"][0]
                           for g in opt.param_groups])
    return np.array(rows), sched


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_torch(name, opt_name):
    ours, _ = _schedule("ours", SCHEDULES[name], opt_name)
    theirs, _ = _schedule("torch", SCHEDULES[name], opt_name)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)


@pytest.mark.parametrize("kwargs", [
    dict(patience=2, factor=0.5, cooldown=1, min_lr=0.01),
    dict(mode="max", patience=1, threshold=0.1, threshold_mode="abs", min_lr=[0.001, 0.02]),
])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    metrics = [5, 4, 4, 4, 4, 3.9999, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
               2, 2, 2, 2, 2]
    build = lambda L, o: L.ReduceLROnPlateau(o, **kwargs)
    ours, sched = _schedule("ours", build, "SGD", metric=lambda k: metrics[k])
    theirs, tsched = _schedule("torch", build, "SGD", metric=lambda k: metrics[k])
    np.testing.assert_array_equal(ours, theirs)
    assert sched.best == tsched.best and sched.num_bad_epochs == tsched.num_bad_epochs


@pytest.mark.parametrize("name", ["StepLR", "OneCycleLR", "CyclicLR", "SequentialLR",
                                  "CosineAnnealingWarmRestarts"])
def test_scheduler_state_dict_keys_match_torch(name):
    _, ours = _schedule("ours", SCHEDULES[name], "SGD", n=3)
    _, theirs = _schedule("torch", SCHEDULES[name], "SGD", n=3)
    a, b = ours.state_dict(), theirs.state_dict()
    for key in ("last_epoch", "base_lrs", "_last_lr", "_step_count"):
        if key in b:
            assert a[key] == b[key], key


# ---------------------------------------------------------------------- L-BFGS
@pytest.mark.parametrize("kwargs", [dict(lr=0.5, max_iter=5),
                                    dict(lr=1, line_search_fn="strong_wolfe"),
                                    dict(lr=1, history_size=3, max_iter=10,
                                         line_search_fn="strong_wolfe")],
                         ids=["fixed-step", "strong-wolfe", "short-history"])
def test_lbfgs_matches_torch(kwargs):
    rng = np.random.default_rng(0)
    A, B, w0 = rng.standard_normal((6, 4)), rng.standard_normal(6), rng.standard_normal(4)
    runs = []
    for lib in ("ours", "torch"):
        mk = (lambda x: autograd.tensor(x, requires_grad=True)) if lib == "ours" else \
            (lambda x: torch.tensor(x, requires_grad=True))
        const = autograd.tensor if lib == "ours" else torch.tensor
        w, c = mk(w0.copy()), mk(np.array([0.3]))
        a, b = const(A), const(B)
        opt = (optim.LBFGS if lib == "ours" else torch.optim.LBFGS)([w, c], **kwargs)
        losses = []

        def closure():
            opt.zero_grad()
            r = a @ w + c - b
            loss = (r ** 2).sum() + (w ** 4).sum() * 0.1
            loss.backward()
            losses.append(float(loss.detach()) if lib == "torch" else loss.item())
            return loss
        for _ in range(3):
            opt.step(closure)
        state = opt.state_dict()["state"][0]
        final = w._data if lib == "ours" else w.detach().numpy()
        runs.append((losses, final.copy(), state["func_evals"], state["n_iter"]))
    (l1, w1, e1, n1), (l2, w2, e2, n2) = runs
    assert (e1, n1) == (e2, n2)
    np.testing.assert_allclose(l1, l2, rtol=1e-12)
    np.testing.assert_allclose(w1, w2, rtol=1e-12, atol=1e-14)
