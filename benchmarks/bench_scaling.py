"""The scaling series: chains of 1e3 to 1e6 multiplies on a 4-element tensor, forward and
backward time per node reported separately, with the garbage collector on as users have it.

A pure-Python graph gets slower per node as it grows when the cyclic collector keeps
traversing the live nodes; the forward and backward per-node figures should be flat. The peak
memory of the engine's graph (tracemalloc, forward plus backward) is in the notes.
"""
import gc


from benchmarks import _torch_ref
from benchmarks._report import row
from benchmarks._timing import traced_peak
from benchmarks.bench_chain import CONSTS, engine_parts, measure_split, numpy_parts

SIZES = (1_000, 10_000, 100_000, 1_000_000)
REPEATS = {1_000: 41, 10_000: 11, 100_000: 3, 1_000_000: 3}
QUICK_REPEATS = 3


def _peak_bytes(n):
    """Peak traced bytes of one forward + backward of an n-node engine chain."""
    fwd, bwd = engine_parts(n)
    return traced_peak(lambda: None, lambda _: bwd(fwd()), warm=0)


def _gc_counts():
    return [s["collections"] for s in gc.get_stats()]


def run_scaling(ctx):
    rows = []
    for n in ctx.pick(SIZES, SIZES[:1]):
        parts = {"engine": engine_parts(n), "numpy": numpy_parts(n),
                 "torch": _torch_ref.chain_parts(n, CONSTS) if ctx.torch else None}
        before = _gc_counts()
        # NOTE: every size gets one warm-up build, so each figure is a steady-state one (the
        # first build of a 1,000,000-node graph also pays the OS for ~350 MB of fresh pages)
        res = measure_split(parts, ctx.pick(REPEATS.get(n, 3), QUICK_REPEATS),
                            warmup=1, rounds=1 if n >= 100_000 else 3)
        gcs = [a - b for a, b in zip(_gc_counts(), before)]
        peak = _peak_bytes(n)
        size = f"{n:,} nodes"
        t = res["torch"]
        rows.append(row("chain forward per node", size, "µs/node", res["engine"][0],
                        res["numpy"][0], t[0] if t else None, per=n,
                        notes=f"engine peak {peak / 2**20:.1f} MB ({peak / n:.0f} B/node); "
                              f"gc collections gen0/1/2 during timing: {gcs[0]}/{gcs[1]}/{gcs[2]}"))
        rows.append(row("chain backward per node", size, "µs/node", res["engine"][1],
                        res["numpy"][1], t[1] if t else None, per=n))
    if len(rows) > 2:
        for k, label in ((0, "forward"), (1, "backward")):
            per_node = [r["engine"] for r in rows[k::2]]
            rows[-2 + k]["notes"] = (rows[-2 + k]["notes"] + "; " if rows[-2 + k]["notes"] else "") + \
                f"{label} per node, largest / smallest size: {per_node[-1] / per_node[0]:.2f}x " \
                f"(max/min over sizes {max(per_node) / min(per_node):.2f}x)"
    fwd, bwd = engine_parts(ctx.pick(100_000, 1_000))
    ctx.profile_engine("chain scaling", lambda: bwd(fwd()), calls=1)
    return rows


WORKLOADS = [("chain scaling", run_scaling)]
