"""Run the benchmark suite and print one markdown table.

    python -m benchmarks                  # everything (several minutes)
    python -m benchmarks --quick          # smoke pass: every workload, smallest size, few repeats
    python -m benchmarks --filter mlp,chain --json rows.json --markdown RESULTS.md
    python -m benchmarks --profile        # also print autograd.profiler's per-op table per workload
    AUTOGRAD_PROFILE=1 python -m benchmarks --filter chain   # the engine's whole-process profile

Progress and profiles go to stderr; stdout carries only the header and the table.
"""
import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import sys
import time
import traceback
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python benchmarks/run.py`
    sys.path.insert(0, str(_ROOT))

import autograd  # noqa: E402,F401  (first, so the header shows the gc settings it makes)
from benchmarks import _machine, _report, _torch_ref  # noqa: E402

BENCH_MODULES = ("bench_mlp", "bench_chain", "bench_scaling", "bench_ops", "bench_fused",
                 "bench_optim", "bench_memory", "bench_mnist")


class Context:
    """What every workload gets: mode, threads, torch (or None), the MNIST directory, and the
    profiling switches."""

    def __init__(self, quick=False, threads=1, torch=None, mnist_dir=None, profile=False,
                 cprofile=0, verbose=True):
        self.quick = quick
        self.threads = threads
        self.torch = torch
        self.mnist_dir = Path(mnist_dir) if mnist_dir else None
        self.profile = profile
        self.cprofile = cprofile
        self.verbose = verbose

    def pick(self, full, quick):
        return quick if self.quick else full

    def log(self, msg):
        if self.verbose:
            print(msg, file=sys.stderr, flush=True)

    def profile_engine(self, label, fn, calls=1):
        """Under --profile / --cprofile, run `fn` `calls` more times with the per-op profiler
        (autograd.profiler) and/or cProfile and print what they found to stderr."""
        if not (self.profile or self.cprofile):
            return
        out = sys.stderr
        if self.profile:
            try:
                from autograd import profiler
            except ImportError:
                profiler = None
            if profiler is None or not hasattr(profiler, "profile"):
                print(f"\n[{label}] autograd.profiler is not available; use --cprofile",
                      file=out)
            else:
                with profiler.profile() as prof:
                    t0 = time.perf_counter()
                    for _ in range(calls):
                        fn()
                    wall = time.perf_counter() - t0
                covered = sum(r[2] + r[4] for r in prof.rows()) if hasattr(prof, "rows") else None
                print(f"\n[{label}] autograd.profiler over {calls} call(s), wall "
                      f"{wall * 1e3:.2f} ms (profiler on)", file=out)
                print(prof.table(), file=out)
                if covered is not None and wall > 0:
                    print(f"op forward/backward bodies: {covered * 1e3:.2f} ms = "
                          f"{100 * covered / wall:.0f}% of wall; the rest is graph recording, "
                          f"the engine loop, Python glue and the optimizer", file=out)
        if self.cprofile:
            pr = cProfile.Profile()
            pr.enable()
            for _ in range(calls):
                fn()
            pr.disable()
            s = io.StringIO()
            pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(self.cprofile)
            print(f"\n[{label}] cProfile over {calls} call(s), by own time:", file=out)
            print(s.getvalue(), file=out)


def load_workloads(names=BENCH_MODULES):
    """[(workload name, function)] in suite order, from each bench module's WORKLOADS."""
    import importlib
    out = []
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        out.extend(mod.WORKLOADS)
    return out


def select(workloads, filters):
    if not filters:
        return list(workloads)
    keys = [f.strip().lower() for spec in filters for f in spec.split(",") if f.strip()]
    return [(n, fn) for n, fn in workloads if any(k in n.lower() for k in keys)]


def run_suite(ctx, filters=None):
    """Run the selected workloads; returns (rows, failures)."""
    rows, failures = [], []
    for name, fn in select(load_workloads(), filters):
        ctx.log(f"-- {name}")
        t0 = time.perf_counter()
        try:
            new = fn(ctx)
        except Exception:  # one broken workload must not hide the others' figures
            failures.append((name, traceback.format_exc()))
            ctx.log(f"   FAILED:\n{traceback.format_exc()}")
            continue
        rows.extend(new)
        ctx.log(f"   {len(new)} row(s) in {time.perf_counter() - t0:.1f} s")
    return rows, failures


def machine_lines(ctx):
    """The machine part of the header, taken when the run starts (load average included)."""
    return _machine.header_lines(
        ctx.threads, _torch_ref.version() if ctx.torch else None,
        "skipped (--no-torch)" if _torch_ref.installed() else "not installed (n/a)")


def header(machine, argv, quick, elapsed=None, probes=None):
    lines = [f"Machine and settings ({datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}):", ""]
    lines += machine
    if probes:
        lines.append(f"- speed probe (one multiply of a 4-element NumPy array, best of 20 loops "
                     f"of 1,000): {probes[0]:.2f} µs at the start, {probes[1]:.2f} µs at the end "
                     f"(on a shared machine a higher figure means a slower phase)")
    cmd = "python -m benchmarks" + ("" if not argv else " " + " ".join(argv))
    lines.append(f"- command: `{cmd}`" + (" (quick smoke pass: not for comparison)"
                                          if quick else ""))
    if elapsed is not None:
        lines.append(f"- suite wall time: {elapsed:.0f} s")
    if os.environ.get("AUTOGRAD_PROFILE", "") not in ("", "0"):
        lines.append("- AUTOGRAD_PROFILE is set: every op is wrapped by the profiler, so the "
                     "tapegrad timings include its overhead")
    lines.append("- times: median of N repeats after warm-up (perf_counter, gc on), spread is "
                 "the interquartile range; implementations measured interleaved in rounds")
    lines.append("- ratio = tapegrad / NumPy baseline (lower is better); vs PyTorch = "
                 "tapegrad / PyTorch")
    return "\n".join(lines)


def build_parser():
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="smoke pass: every workload at its smallest size, few repeats")
    p.add_argument("--filter", action="append", metavar="NAME",
                   help="run only workloads whose name contains NAME (comma-separated or "
                        "repeated); e.g. mlp, chain, scaling, broadcast, reduce, matmul, fused, "
                        "optim, memory, mnist")
    p.add_argument("--json", metavar="PATH", help="write machine info and rows as JSON")
    p.add_argument("--markdown", metavar="PATH", help="write the header and table to a file")
    p.add_argument("--mnist-dir", metavar="DIR", default=str(_ROOT / ".." / "shared" / "data" /
                                                              "mnist"),
                   help="directory with the MNIST t10k IDX .gz files (default "
                        "../shared/data/mnist from the repo root); the row is skipped if absent")
    p.add_argument("--threads", type=int, metavar="N",
                   help="BLAS threads for NumPy (via threadpoolctl) and PyTorch; default: "
                        "NumPy's own setting, and 1 with --quick")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    p.add_argument("--profile", action="store_true",
                   default=os.environ.get("AUTOGRAD_PROFILE", "") not in ("", "0"),
                   help="print autograd.profiler's per-op forward/backward table for each "
                        "workload's tapegrad run (on by default when AUTOGRAD_PROFILE is set)")
    p.add_argument("--cprofile", type=int, default=0, metavar="N",
                   help="print the top N functions by own time (cProfile) for each workload's "
                        "tapegrad run")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("-q", "--silent", action="store_true", help="no progress on stderr")
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if args.list:
        for name, _ in select(load_workloads(), args.filter):
            print(name)
        return 0
    threads = _machine.blas_threads()
    if args.threads is None and args.quick:
        args.threads = 1  # NOTE: a smoke pass on a shared machine; BLAS threads only add waiting
    if args.threads is not None and args.threads != threads:
        threads = _machine.set_blas_threads(args.threads)
    torch = None if args.no_torch else _torch_ref.get(threads)
    ctx = Context(quick=args.quick, threads=threads, torch=torch, mnist_dir=args.mnist_dir,
                  profile=args.profile, cprofile=args.cprofile, verbose=not args.silent)
    machine = machine_lines(ctx)
    probe_start = _machine.speed_probe()
    start = time.perf_counter()
    rows, failures = run_suite(ctx, args.filter)
    elapsed = time.perf_counter() - start
    probes = (probe_start, _machine.speed_probe())
    text = header(machine, argv, args.quick, elapsed, probes) + "\n\n" + _report.markdown(rows)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    if args.json:
        payload = {"machine": machine, "speed_probe_us": probes,
                   "argv": argv, "quick": args.quick, "elapsed_s": elapsed, "rows": rows,
                   "failures": [{"workload": n, "traceback": tb} for n, tb in failures]}
        Path(args.json).write_text(json.dumps(payload, indent=1, default=str) + "\n")
    for name, tb in failures:
        print(f"\nworkload {name} failed:\n{tb}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
