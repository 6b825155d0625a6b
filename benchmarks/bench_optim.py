"""The optimizer step alone: Adam (and SGD with momentum) over 1,000,000 float32 parameters
in 10 tensors, gradients already in place, against a hand-written in-place NumPy update."""
import numpy as np

import autograd
from benchmarks import _engine, _numpy_ref, _torch_ref
from benchmarks._report import row
from benchmarks._timing import interleaved

SHAPE = (1000, 100)   # x 10 tensors = 1,000,000 parameters
N_TENSORS = 10
REPEATS = 60
QUICK_REPEATS = 3


def arrays(seed=6):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(SHAPE).astype(np.float32) for _ in range(N_TENSORS)]
    grads = [rng.standard_normal(SHAPE).astype(np.float32) for _ in range(N_TENSORS)]
    return params, grads


def engine_step(params, grads, name, lr):
    ps = [autograd.tensor(p.copy(), requires_grad=True) for p in params]
    for p, g in zip(ps, grads):
        p.grad = autograd.tensor(g.copy())
    cls = _engine.Adam if name == "adam" else _engine.SGD
    if cls is None:
        raise RuntimeError(f"optim.{name} is not importable")
    kwargs = {} if name == "adam" else {"momentum": 0.9}
    return cls(ps, lr=lr, **kwargs).step


def run_optim(ctx):
    params, grads = arrays()
    rows = []
    for name, lr in (("adam", 1e-3), ("sgd", 1e-2)):
        ref_params = [p.copy() for p in params]
        ref = (_numpy_ref.AdamState(ref_params, grads, lr) if name == "adam"
               else _numpy_ref.SGDMomentumState(ref_params, grads, lr))
        fns = {"engine": engine_step(params, grads, name, lr), "numpy": ref.step,
               "torch": _torch_ref.optimizer_step(params, grads, name, lr) if ctx.torch
               else None}
        t = interleaved(fns, ctx.pick(REPEATS, QUICK_REPEATS), warmup=ctx.pick(5, 1),
                        rounds=ctx.pick(5, 1))
        label = "Adam" if name == "adam" else "SGD momentum 0.9"
        rows.append(row(f"optimizer step, {label}", "1M params in 10 tensors", "ms",
                        t["engine"], t["numpy"], t["torch"]))
        ctx.profile_engine(f"optimizer {name}", fns["engine"], calls=ctx.pick(10, 1))
    return rows


WORKLOADS = [("optim step", run_optim)]
