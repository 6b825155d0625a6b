"""The MLP training step: 784-256-128-10 ReLU, softmax cross-entropy, float32, SGD and Adam.

One step = zero_grad, forward, loss, backward, optimizer step, on a fixed batch. Also counts
minor page faults per step (ru_minflt), the hidden cost of arrays that the allocator hands
back to the OS and faults in again on the next step.
"""
from benchmarks import _engine, _numpy_ref, _torch_ref
from benchmarks._report import row
from benchmarks._timing import faults_per_call, interleaved

BATCHES = (64, 256, 1024)
OPTIMIZERS = (("sgd", 0.01), ("adam", 1e-3))
REPEATS = {64: 300, 256: 120, 1024: 40}
FAULT_STEPS = {64: 100, 256: 50, 1024: 20}
QUICK_REPEATS = 5
COLD_STEPS = 3


def step_fns(weights, batch, optimizer, lr, torch):
    """{"engine", "numpy", "torch"} -> zero-argument step functions on one fixed batch."""
    x, y = _numpy_ref.mlp_batch(batch)
    eng = _engine.MLP(weights, optimizer, lr)
    xe, ye = _engine.batch(x, y)
    ref = _numpy_ref.MLP(weights, batch, optimizer, lr)
    fns = {"engine": lambda: eng.step(xe, ye), "numpy": lambda: ref.step(x, y), "torch": None}
    if torch is not None:
        tm = _torch_ref.MLP(weights, optimizer, lr)
        xt, yt = _torch_ref.batch(x, y)
        fns["torch"] = lambda: tm.step(xt, yt)
    return fns, eng.api


def run_steps(ctx):
    weights = _numpy_ref.init_mlp()
    rows = []
    for optimizer, lr in OPTIMIZERS:
        for batch in ctx.pick(BATCHES, BATCHES[:1]):
            fns, api = step_fns(weights, batch, optimizer, lr, ctx.torch)
            reps = ctx.pick(REPEATS.get(batch, 20), QUICK_REPEATS)
            cold = {k: (faults_per_call(f, COLD_STEPS) if f else None) for k, f in fns.items()}
            # NOTE: ten rounds of short blocks, so a burst of load from another process on a
            # shared machine lands on every implementation alike rather than on one block
            times = interleaved(fns, reps, warmup=ctx.pick(10, 2), rounds=ctx.pick(10, 2))
            n_f = ctx.pick(FAULT_STEPS.get(batch, 10), 3)
            faults = {k: (faults_per_call(f, n_f) if f else None) for k, f in fns.items()}
            rows.append(row(f"MLP step, {optimizer.upper()}", f"batch {batch}", "ms",
                            times["engine"], times["numpy"], times["torch"], notes=api))
            rows.append(fault_row(optimizer, batch, faults, n_f, cold))
            ctx.profile_engine(f"MLP step {optimizer} batch {batch}", fns["engine"],
                               calls=ctx.pick(20, 2))
    return rows


def fault_row(optimizer, batch, faults, steps, cold):
    """Minor page faults per step. Both counts are often 0, so the ratios are taken of
    (faults + 1): 0 against 0 reads 1.00x and stays finite."""
    e, n, t = faults["engine"], faults["numpy"], faults["torch"]
    r = row(f"MLP page faults, {optimizer.upper()}", f"batch {batch}", "faults/step", [e], [n],
            None if t is None else [t],
            notes=f"over {steps} warm steps; ratios of (faults + 1); first {COLD_STEPS} steps of "
                  f"a fresh model: " + ", ".join(f"{k} {v:.0f}" for k, v in cold.items()
                                                  if v is not None) + " faults/step")
    r["ratio"] = r["ratio_of_minima"] = (e + 1) / (n + 1)
    r["torch_ratio"] = None if t is None else (e + 1) / (t + 1)
    return r


WORKLOADS = [("mlp step", run_steps)]
