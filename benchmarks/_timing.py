"""Timing and memory helpers shared by the bench files.

Every measurement uses `time.perf_counter`, runs warm-up calls first, leaves the garbage
collector as the user has it (on), and reports the median with the interquartile range.
Implementations of one workload are measured interleaved, round by round, so a burst of load
from another process hits all of them alike instead of skewing one.
"""
import gc
import math
import resource
import statistics
import time
import tracemalloc

_clock = time.perf_counter


def quantiles(samples):
    """(median, first quartile, third quartile, min, max) of a list of numbers."""
    xs = sorted(samples)
    n = len(xs)
    if n == 0:
        return (math.nan,) * 5
    med = statistics.median(xs)
    if n < 4:
        return med, xs[0], xs[-1], xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return med, q[0], q[2], xs[0], xs[-1]


def time_calls(fn, repeats, warmup=1):
    """Seconds per call of `fn()`, one sample per call, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = _clock()
        fn()
        out.append(_clock() - t0)
    return out


def interleaved(impls, repeats, warmup=2, rounds=5):
    """Time each callable in `impls` (name -> fn or None) `repeats` times, in `rounds`
    alternating blocks. Returns name -> list of seconds (None where the fn is None)."""
    live = {k: f for k, f in impls.items() if f is not None}
    for f in live.values():
        for _ in range(warmup):
            f()
    rounds = max(1, min(rounds, repeats))
    per = [repeats // rounds + (1 if r < repeats % rounds else 0) for r in range(rounds)]
    samples = {k: [] for k in live}
    for n in per:
        for k, f in live.items():
            samples[k].extend(time_calls(f, n, warmup=0))
    return {k: samples.get(k) for k in impls}


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def faults_per_call(fn, calls):
    """Minor page faults per call of `fn()` over `calls` calls (already warmed up)."""
    before = minor_faults()
    for _ in range(calls):
        fn()
    return (minor_faults() - before) / calls


def rss_bytes():
    """Resident set size now, from /proc/self/statm (falls back to ru_maxrss, a peak)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def traced_peak(setup, step, warm=1):
    """Peak bytes traced by tracemalloc while building with `setup()` (which returns the state
    `step` needs) and running `step(state)` once after `warm` untraced-peak steps. Counts
    everything allocated from before the setup: parameters, optimizer state, buffers, data,
    and the step's transient arrays. NumPy reports its array buffers to tracemalloc."""
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        state = setup()
        for _ in range(warm):
            step(state)
        tracemalloc.reset_peak()
        step(state)
        peak = tracemalloc.get_traced_memory()[1]
        del state
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - base
