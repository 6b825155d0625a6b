"""Engine overhead: a chain of 10,000 elementwise multiplies on a 4-element tensor, forward
plus backward, in µs per op.

The NumPy baseline is the same 10,000 forward multiplies (a new array each) plus the 10,000
backward multiplies of the gradient: the floor any engine on NumPy pays. The multiplier
alternates 0.5 and 2.0, so values stay exact (no denormals, no overflow) and no engine can
skip a multiply by one.
"""
import time

import numpy as np

import autograd
from benchmarks import _numpy_ref, _torch_ref
from benchmarks._report import row

N_OPS = 10_000
REPEATS = 21
QUICK_REPEATS = 3
CONSTS = (0.5, 2.0)


def engine_parts(n):
    """(forward() -> loss, backward(loss)) for the engine chain."""
    x = autograd.ones(4, requires_grad=True)
    c = CONSTS

    def forward():
        y = x
        for i in range(n):
            y = y * c[i & 1]
        return y.sum()

    def backward(out):
        out.backward()
        x.grad = None
    return forward, backward


def numpy_parts(n):
    x = np.ones(4, np.float32)

    def forward():
        return _numpy_ref.chain_forward(x, n, CONSTS)

    def backward(out):
        _numpy_ref.chain_backward(np.ones_like(out), n, CONSTS)
    return forward, backward


def measure_split(parts, repeats, warmup=1, rounds=3):
    """Interleaved timing of forward and backward separately.
    parts: name -> (forward, backward) or None. Returns name -> (fwd seconds, bwd seconds)."""
    live = {k: p for k, p in parts.items() if p is not None}
    for fwd, bwd in live.values():
        for _ in range(warmup):
            bwd(fwd())
    out = {k: ([], []) for k in live}
    rounds = max(1, min(rounds, repeats))
    per = [repeats // rounds + (1 if r < repeats % rounds else 0) for r in range(rounds)]
    for n in per:
        for k, (fwd, bwd) in live.items():
            for _ in range(n):
                t0 = time.perf_counter()
                res = fwd()
                t1 = time.perf_counter()
                bwd(res)
                t2 = time.perf_counter()
                del res
                out[k][0].append(t1 - t0)
                out[k][1].append(t2 - t1)
    return {k: out.get(k) for k in parts}


def run_chain(ctx):
    parts = {"engine": engine_parts(N_OPS), "numpy": numpy_parts(N_OPS),
             "torch": _torch_ref.chain_parts(N_OPS, CONSTS) if ctx.torch else None}
    res = measure_split(parts, ctx.pick(REPEATS, QUICK_REPEATS))
    total = {k: (None if v is None else [f + b for f, b in zip(*v)]) for k, v in res.items()}
    fe, be = (float(np.median(s)) * 1e6 / N_OPS for s in res["engine"])
    note = f"forward {fe:.2f} + backward {be:.2f} µs/op; NumPy = {N_OPS} fwd + {N_OPS} bwd multiplies"
    rows = [row("chain of 10k muls, fwd+bwd", "4 elements", "µs/op", total["engine"],
                total["numpy"], total["torch"], notes=note, per=N_OPS)]
    fwd, bwd = engine_parts(N_OPS)
    ctx.profile_engine("10k-op chain", lambda: bwd(fwd()), calls=ctx.pick(3, 1))
    return rows


WORKLOADS = [("chain 10k", run_chain)]
