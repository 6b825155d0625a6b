"""Single ops forward plus backward at three sizes: broadcasting binary ops ((N, 1) op (1, N)),
reductions of an (N, N) tensor (sum over dim 1, mean of all, max over dim 1), and square
matmul. Backward is seeded with a fixed upstream gradient (no extra loss node).
"""
import autograd
from benchmarks import _numpy_ref, _torch_ref
from benchmarks._report import row
from benchmarks._timing import interleaved

SIZES = (64, 256, 1024)
MATMUL_SIZES = (64, 256, 1024)
REPEATS = {64: 400, 256: 100, 1024: 20}
QUICK_REPEATS = 5


def _leaf(array):
    return autograd.tensor(array.copy(), requires_grad=True)


def engine_broadcast(ref, op):
    a, b, g = _leaf(ref.a), _leaf(ref.b), autograd.tensor(ref.g)

    def run():
        a.grad = b.grad = None
        (a + b if op == "add" else a * b).backward(g)
    return run


def engine_reduce(ref, op):
    x, g = _leaf(ref.x), autograd.tensor(ref.g)

    def run():
        x.grad = None
        if op == "sum":
            x.sum(1).backward(g)
        elif op == "mean":
            x.mean().backward()
        else:
            x.max(1).values.backward(g)
    return run


def engine_matmul(ref):
    a, b, g = _leaf(ref.a), _leaf(ref.b), autograd.tensor(ref.g)

    def run():
        a.grad = b.grad = None
        (a @ b).backward(g)
    return run


def _measure(ctx, label, size, fns, n):
    reps = ctx.pick(REPEATS.get(n, 3), QUICK_REPEATS)
    t = interleaved(fns, reps, warmup=ctx.pick(5, 1), rounds=ctx.pick(5, 1))
    return row(label, size, "time", t["engine"], t["numpy"], t["torch"])


def run_broadcast(ctx):
    rows = []
    for op in ("add", "mul"):
        for n in ctx.pick(SIZES, SIZES[:1]):
            ref = _numpy_ref.Broadcast(n, op)
            fns = {"engine": engine_broadcast(ref, op), "numpy": ref.run,
                   "torch": _torch_ref.broadcast(ref, op) if ctx.torch else None}
            rows.append(_measure(ctx, f"broadcast {op} (N,1)·(1,N)", f"N={n}", fns, n))
            ctx.profile_engine(f"broadcast {op} N={n}", fns["engine"], calls=ctx.pick(20, 1))
    return rows


def run_reduce(ctx):
    rows = []
    labels = {"sum": "sum(dim=1)", "mean": "mean()", "max": "max(dim=1)"}
    for op in ("sum", "mean", "max"):
        for n in ctx.pick(SIZES, SIZES[:1]):
            ref = _numpy_ref.Reduce(n, op)
            fns = {"engine": engine_reduce(ref, op), "numpy": ref.run,
                   "torch": _torch_ref.reduce(ref, op) if ctx.torch else None}
            rows.append(_measure(ctx, f"reduce {labels[op]}", f"{n}x{n}", fns, n))
            ctx.profile_engine(f"reduce {op} {n}x{n}", fns["engine"], calls=ctx.pick(20, 1))
    return rows


def run_matmul(ctx):
    rows = []
    for n in ctx.pick(MATMUL_SIZES, MATMUL_SIZES[:1]):
        ref = _numpy_ref.Matmul(n)
        fns = {"engine": engine_matmul(ref), "numpy": ref.run,
               "torch": _torch_ref.matmul(ref) if ctx.torch else None}
        rows.append(_measure(ctx, "matmul", f"{n}x{n} @ {n}x{n}", fns, n))
        ctx.profile_engine(f"matmul {n}", fns["engine"], calls=ctx.pick(10, 1))
    return rows


WORKLOADS = [("broadcast", run_broadcast), ("reduce", run_reduce), ("matmul", run_matmul)]
