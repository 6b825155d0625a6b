"""A per-op profiler: counts and total time of every op's forward and backward.

    with autograd.profiler.profile() as prof:
        loss = model(x).sum(); loss.backward()
    print(prof.table())

Setting the environment variable `AUTOGRAD_PROFILE=1` profiles the whole process and prints the
table at exit. While a profile is active every op's `forward` and `backward` are wrapped with a
timer; when none is, nothing is wrapped and the engine pays nothing.
"""
import atexit
import collections
import os
import time

from .function import Function

__all__ = ["profile"]


def _all_ops():
    seen, stack = [], [Function]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


class profile:
    """Context manager recording per-op call counts and time (forward and backward)."""

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.stats = collections.defaultdict(lambda: [0, 0.0, 0, 0.0])  # fwd n, s, bwd n, s
        self._patched = []

    def __enter__(self):
        if self.enabled:
            for cls in _all_ops():
                for phase, slot in (("forward", 0), ("backward", 2)):
                    fn = cls.__dict__.get(phase)
                    if isinstance(fn, staticmethod):
                        self._patched.append((cls, phase, fn))
                        setattr(cls, phase, staticmethod(self._timed(cls.__name__, slot,
                                                                     fn.__func__)))
        return self

    def __exit__(self, *exc):
        for cls, phase, fn in reversed(self._patched):
            setattr(cls, phase, fn)
        self._patched.clear()
        return False

    def _timed(self, name, slot, fn):
        stats = self.stats

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                row = stats[name]
                row[slot] += 1
                row[slot + 1] += time.perf_counter() - t0
        return timed

    def rows(self):
        """[(op, forward calls, forward seconds, backward calls, backward seconds)], slowest
        first."""
        rows = [(name,) + tuple(v) for name, v in self.stats.items()]
        return sorted(rows, key=lambda r: -(r[2] + r[4]))

    def table(self):
        lines = ["| op | fwd calls | fwd ms | bwd calls | bwd ms |",
                 "| --- | ---: | ---: | ---: | ---: |"]
        total = [0, 0.0, 0, 0.0]
        for name, fn_, fs, bn, bs in self.rows():
            lines.append(f"| {name} | {fn_} | {fs * 1e3:.3f} | {bn} | {bs * 1e3:.3f} |")
            total = [total[0] + fn_, total[1] + fs, total[2] + bn, total[3] + bs]
        lines.append(f"| total | {total[0]} | {total[1] * 1e3:.3f} | {total[2]} | "
                     f"{total[3] * 1e3:.3f} |")
        return "\n".join(lines)


def _profile_process():
    prof = profile().__enter__()

    @atexit.register
    def _report():
        prof.__exit__(None, None, None)
        print("\nautograd profile (AUTOGRAD_PROFILE=1):")
        print(prof.table())


def enable_from_environment():
    """Called once `autograd` is fully imported (every op class exists)."""
    if os.environ.get("AUTOGRAD_PROFILE", "") not in ("", "0"):
        _profile_process()
