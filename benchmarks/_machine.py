"""The machine a table came from: CPU, cores, Python, NumPy and its BLAS, threads.

`blas_threads()` is also the thread count every comparison runs with: PyTorch is set to the
same number so the BLAS-bound rows compare like with like.
"""
import gc
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def cores():
    """(logical CPUs available to this process, logical CPUs of the machine)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    return usable, os.cpu_count() or usable


def _threadpool_info():
    """threadpoolctl's BLAS pools, NumPy's own first (torch may load another BLAS)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    pools = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return sorted(pools, key=lambda i: "numpy" not in str(i.get("filepath", "")))


def blas_info():
    """A one-line description of NumPy's BLAS: from threadpoolctl when present (the library
    actually loaded), else from `numpy.show_config`."""
    pools = _threadpool_info()
    if pools:
        p = pools[0]
        return (f"{p.get('internal_api', '?')} {p.get('version', '?')} "
                f"({p.get('architecture', '?')}, {p.get('threading_layer', '?')})")
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '?')}"
    except Exception:  # NumPy < 1.25 has no mode="dicts"
        return "unknown (numpy.show_config)"


def blas_threads():
    """Threads NumPy's BLAS uses: threadpoolctl's answer, else the usual environment
    variables, else the usable cores."""
    pools = _threadpool_info()
    if pools:
        return int(pools[0].get("num_threads") or 1)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return cores()[0]


def set_blas_threads(n):
    """Limit NumPy's BLAS to `n` threads for the rest of the process (needs threadpoolctl);
    returns the thread count now in force."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return blas_threads()
    threadpool_limits(limits=int(n), user_api="blas")
    return blas_threads()


def revision(root=Path(__file__).resolve().parent.parent):
    """The repo's commit, and whether the engine packages have uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "autograd", "nn", "optim")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git checkout)"
    return commit + (" with uncommitted changes in autograd/nn/optim" if dirty else "")


def speed_probe(loops=20, n=1000):
    """Best time, in µs, of one multiply of a 4-element float32 NumPy array by a float (best of
    `loops` loops of `n`): Python and NumPy dispatch only. On a shared machine it shows which
    speed phase a run met (the same figure from another run's header is directly comparable)."""
    x = np.ones(4, np.float32)
    best = float("inf")
    for _ in range(loops):
        a = x
        t0 = time.perf_counter()
        for _ in range(n):
            a = a * 0.5
        best = min(best, time.perf_counter() - t0)
    return best / n * 1e6


def header_lines(threads, torch_version=None, torch_absent="not installed (n/a)"):
    usable, total = cores()
    lines = [
        f"- tapegrad: commit {revision()}",
        f"- CPU: {cpu_model()}, {usable} usable of {total} logical cores",
        f"- Python {platform.python_version()} ({sys.implementation.name}), "
        f"{platform.system()} {platform.release()}",
        f"- NumPy {np.__version__}, BLAS: {blas_info()}",
        f"- threads: {threads} (NumPy BLAS; PyTorch set to the same)",
        f"- PyTorch: {torch_version if torch_version else torch_absent}",
        f"- gc: {'on' if gc.isenabled() else 'off'}, thresholds {gc.get_threshold()} (as the "
        f"process has them after importing autograd)",
    ]
    try:
        load = os.getloadavg()
        lines.append(f"- load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    except OSError:
        pass
    return lines
