"""A per-op profiler: counts and total time of every op's forward and backward, and of the time
spent outside the op bodies (recording the graph, the engine loop, optimizer steps).

    with autograd.profiler.profile() as prof:
        loss = model(x).sum(); loss.backward(); opt.step()
    print(prof.table())
    prof.summary()   # {"forward_ms": ..., "record_ms": ..., "engine_ms": ..., ...}

Setting the environment variable `AUTOGRAD_PROFILE=1` profiles the whole process and prints the
table to stderr at exit; `AUTOGRAD_PROFILE=path/to/file.md` writes it to that file instead.
While a profile is active every op's `forward` and `backward`, `Function.apply`, the engine's
pass and `Optimizer.step` are wrapped with a timer; when none is, nothing is wrapped and the
engine pays nothing.
"""
import atexit
import collections
import os
import sys
import time

from . import engine
from .function import Function, Op

__all__ = ["profile"]


def _subclasses(root):
    seen, stack = [], [root]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


class profile:
    """Context manager recording per-op call counts and time (forward and backward), plus:

    * `<record>`: time in `apply` outside the forward bodies (wrapping arrays, building nodes);
    * `<engine>`: time in `backward()` / `grad()` outside the backward bodies (ordering nodes,
      accumulating gradients, checks);
    * `<optimizer>`: time in `Optimizer.step` (when `optim` is imported).

    Nested calls count once: an op recorded inside a backward formula (create_graph) or inside
    a user Function's forward is part of that body's time.
    """

    def __init__(self, enabled=True):
        self.enabled = enabled
        self.stats = collections.defaultdict(lambda: [0, 0.0, 0, 0.0])  # fwd n, s, bwd n, s
        self.outside = {k: [0, 0.0] for k in ("<record>", "<engine>", "<optimizer>")}
        self._direct = [0.0, 0.0]  # forward bodies run by an outermost apply; outermost backward
        self._depth = {"apply": 0, "backward": 0, "step": 0}
        self._patched = []

    # ------------------------------------------------------------------ patching
    def __enter__(self):
        if not self.enabled:
            return self
        for cls in _subclasses(Function):
            for phase, slot in (("forward", 0), ("backward", 2)):
                fn = cls.__dict__.get(phase)
                if isinstance(fn, staticmethod):
                    self._patch(cls, phase, fn, staticmethod(self._timed_body(
                        cls.__name__, slot, fn.__func__)))
        for cls in (Function, Op):
            fn = cls.__dict__["apply"]
            self._patch(cls, "apply", fn, classmethod(self._timed_apply(fn.__func__)))
        self._patch(engine, "_run", engine._run, self._timed_pass(engine._run))
        optimizer = sys.modules.get("optim.optimizer")
        if optimizer is not None:
            for cls in [optimizer.Optimizer] + _subclasses(optimizer.Optimizer):
                if "step" in cls.__dict__:
                    fn = cls.__dict__["step"]
                    self._patch(cls, "step", fn, self._timed_step(fn))
        return self

    def __exit__(self, *exc):
        for owner, name, original in reversed(self._patched):
            setattr(owner, name, original)
        self._patched.clear()
        return False

    def _patch(self, owner, name, original, replacement):
        self._patched.append((owner, name, original))
        setattr(owner, name, replacement)

    # ------------------------------------------------------------------ timers
    def _timed_body(self, name, slot, fn):
        stats, depth, direct = self.stats, self._depth, self._direct

        def timed(*args, **kwargs):
            backward = slot == 2
            if backward:
                depth["backward"] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                row = stats[name]
                row[slot] += 1
                row[slot + 1] += dt
                if backward:
                    depth["backward"] -= 1
                    if depth["backward"] == 0:
                        direct[1] += dt
                elif depth["apply"] == 1 and depth["backward"] == 0:
                    direct[0] += dt
        return timed

    def _timed_apply(self, fn):
        depth, row = self._depth, self.outside["<record>"]

        def apply(cls, *args, **kwargs):
            depth["apply"] += 1
            t0 = time.perf_counter()
            try:
                return fn(cls, *args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                depth["apply"] -= 1
                if depth["apply"] == 0 and depth["backward"] == 0:
                    row[0] += 1
                    row[1] += dt
        return apply

    def _timed_pass(self, fn):
        row = self.outside["<engine>"]

        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                row[0] += 1
                row[1] += time.perf_counter() - t0
        return run

    def _timed_step(self, fn):
        depth, row = self._depth, self.outside["<optimizer>"]

        def step(*args, **kwargs):
            depth["step"] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth["step"] -= 1
                if depth["step"] == 0:  # a subclass step calling the base one counts once
                    row[0] += 1
                    row[1] += time.perf_counter() - t0
        return step

    # ------------------------------------------------------------------ reports
    def rows(self):
        """[(op, forward calls, forward seconds, backward calls, backward seconds)], slowest
        first."""
        rows = [(name,) + tuple(v) for name, v in self.stats.items()]
        return sorted(rows, key=lambda r: -(r[2] + r[4]))

    def outside_rows(self):
        """[(name, calls, seconds)] for `<record>`, `<engine>` and `<optimizer>`: time spent
        outside the op bodies (the engine's own overhead)."""
        (nr, tr), (ne, te), (no, to) = (self.outside[k] for k in
                                        ("<record>", "<engine>", "<optimizer>"))
        return [("<record>", nr, max(tr - self._direct[0], 0.0)),
                ("<engine>", ne, max(te - self._direct[1], 0.0)),
                ("<optimizer>", no, to)]

    def summary(self):
        """Totals in milliseconds: op forward and backward bodies, the three outside rows, and
        per op `{name: {"forward_calls", "forward_ms", "backward_calls", "backward_ms"}}`."""
        rows = self.rows()
        out = {"forward_ms": sum(r[2] for r in rows) * 1e3,
               "backward_ms": sum(r[4] for r in rows) * 1e3}
        for name, calls, seconds in self.outside_rows():
            key = name.strip("<>")
            out[key + "_calls"] = calls
            out[key + "_ms"] = seconds * 1e3
        out["ops"] = {r[0]: {"forward_calls": r[1], "forward_ms": r[2] * 1e3,
                             "backward_calls": r[3], "backward_ms": r[4] * 1e3} for r in rows}
        return out

    def table(self):
        """A markdown table of the ops, then one of the time outside their bodies."""
        lines = ["| op | fwd calls | fwd ms | bwd calls | bwd ms |",
                 "| --- | ---: | ---: | ---: | ---: |"]
        total = [0, 0.0, 0, 0.0]
        for name, fn_, fs, bn, bs in self.rows():
            lines.append(f"| {name} | {fn_} | {fs * 1e3:.3f} | {bn} | {bs * 1e3:.3f} |")
            total = [total[0] + fn_, total[1] + fs, total[2] + bn, total[3] + bs]
        lines.append(f"| total | {total[0]} | {total[1] * 1e3:.3f} | {total[2]} | "
                     f"{total[3] * 1e3:.3f} |")
        lines += ["", "| outside op bodies | calls | ms |", "| --- | ---: | ---: |"]
        for name, calls, seconds in self.outside_rows():
            lines.append(f"| {name} | {calls} | {seconds * 1e3:.3f} |")
        return "\n".join(lines)


def _profile_process(destination):
    prof = profile().__enter__()

    @atexit.register
    def _report():
        prof.__exit__(None, None, None)
        text = "autograd profile (AUTOGRAD_PROFILE):\n" + prof.table() + "\n"
        if destination is None:
            sys.stderr.write("\n" + text)
        else:
            with open(destination, "w", encoding="utf-8") as f:
                f.write(text)


def enable_from_environment():
    """Called once `autograd` is fully imported (every op class exists). `AUTOGRAD_PROFILE=1`
    reports to stderr; any other value except 0 is a file to write the report to."""
    value = os.environ.get("AUTOGRAD_PROFILE", "")
    if value not in ("", "0"):
        _profile_process(None if value.lower() in ("1", "true", "yes") else value)
