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
QUICK_REPEATS = 10


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
            times = interleaved(fns, reps, warmup=ctx.pick(10, 2), rounds=ctx.pick(5, 2))
            n_f = ctx.pick(FAULT_STEPS.get(batch, 10), 5)
            faults = {k: (faults_per_call(f, n_f) if f else None) for k, f in fns.items()}
            rows.append(row(f"MLP step, {optimizer.upper()}", f"batch {batch}", "ms",
                            times["engine"], times["numpy"], times["torch"], notes=api))
            rows.append(row(f"MLP page faults, {optimizer.upper()}", f"batch {batch}",
                            "faults/step", [faults["engine"] + 1], [faults["numpy"] + 1],
                            None if faults["torch"] is None else [faults["torch"] + 1],
                            notes=_fault_note(faults, n_f)))
            # the fault counts are stored +1 so the ratio stays finite; undo that for display
            for key in ("engine", "engine_q1", "engine_q3", "engine_min", "engine_max",
                        "numpy", "torch"):
                if rows[-1][key] is not None:
                    rows[-1][key] -= 1
            ctx.profile_engine(f"MLP step {optimizer} batch {batch}", fns["engine"],
                               calls=ctx.pick(20, 2))
    return rows


def _fault_note(faults, steps):
    return (f"minor faults per step over {steps} steps (ratio of faults+1, so 0 vs 0 is "
            f"1.00x)")


WORKLOADS = [("mlp step", run_steps)]
