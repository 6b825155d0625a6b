"""Memory of MLP training: the peak of one training step (everything the training needs at
its peak: parameters, optimizer state, buffers, batch and the step's transient arrays, traced
by tracemalloc from before the model is built) against the hand-written NumPy step, and the
growth of the resident set over 1,000 steps at batch 64.

PyTorch's allocator is invisible to tracemalloc, so its peak shows as n/a; its RSS growth is
measured like the others.
"""
import gc

from benchmarks import _engine, _numpy_ref, _torch_ref
from benchmarks._report import row
from benchmarks._timing import rss_bytes, traced_peak

PEAK_BATCHES = (64, 256)
GROWTH_STEPS = 1000
GROWTH_BATCH = 64
QUICK_GROWTH_STEPS = 5
MB = 2 ** 20


def _engine_setup(weights, batch, optimizer, lr):
    def setup():
        x, y = _numpy_ref.mlp_batch(batch)
        return _engine.MLP(weights, optimizer, lr), _engine.batch(x, y)
    return setup, lambda s: s[0].step(*s[1])


def _numpy_setup(weights, batch, optimizer, lr):
    def setup():
        x, y = _numpy_ref.mlp_batch(batch)
        return _numpy_ref.MLP(weights, batch, optimizer, lr), (x, y)
    return setup, lambda s: s[0].step(*s[1])


def run_peak(ctx):
    weights = _numpy_ref.init_mlp()
    rows = []
    for optimizer, lr in (("sgd", 0.01), ("adam", 1e-3)):
        for batch in ctx.pick(PEAK_BATCHES, PEAK_BATCHES[:1]):
            e = traced_peak(*_engine_setup(weights, batch, optimizer, lr), warm=2)
            n = traced_peak(*_numpy_setup(weights, batch, optimizer, lr), warm=2)
            rows.append(row(f"MLP step peak memory, {optimizer.upper()}", f"batch {batch}", "MB",
                            [e / MB], [n / MB], None,
                            notes="tracemalloc peak incl. params, optimizer state, batch"))
    return rows


def _growth(step, steps, warmup=20):
    for _ in range(warmup):
        step()
    gc.collect()
    before = rss_bytes()
    for _ in range(steps):
        step()
    gc.collect()
    return before, rss_bytes()


def run_growth(ctx):
    weights = _numpy_ref.init_mlp()
    steps = ctx.pick(GROWTH_STEPS, QUICK_GROWTH_STEPS)
    x, y = _numpy_ref.mlp_batch(GROWTH_BATCH)
    eng = _engine.MLP(weights, "sgd", 0.01)
    xe, ye = _engine.batch(x, y)
    ref = _numpy_ref.MLP(weights, GROWTH_BATCH, "sgd", 0.01)
    warm = ctx.pick(20, 2)
    res = {"engine": _growth(lambda: eng.step(xe, ye), steps, warm),
           "numpy": _growth(lambda: ref.step(x, y), steps, warm)}
    if ctx.torch is not None:
        tm = _torch_ref.MLP(weights, "sgd", 0.01)
        xt, yt = _torch_ref.batch(x, y)
        res["torch"] = _growth(lambda: tm.step(xt, yt), steps, warm)
    ratio = {k: [after / before] for k, (before, after) in res.items()}
    mb = "; ".join(f"{k} {(a - b) / MB:+.2f} MB" for k, (b, a) in res.items())
    return [row("MLP RSS after/before steps, SGD", f"{steps} steps, batch {GROWTH_BATCH}",
                "x", ratio["engine"], ratio["numpy"], ratio.get("torch"),
                notes=f"RSS growth: {mb}")]


WORKLOADS = [("memory peak", run_peak), ("memory growth", run_growth)]
