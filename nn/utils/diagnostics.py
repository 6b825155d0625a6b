"""Training diagnostics: what to look at when a network does not train.

`TrainingDiagnostics(model)` records, through hooks:

* per layer (every leaf module by default), on each forward: the mean and std of its output
  and, for ReLU-like layers, the fraction of dead units (outputs that are zero for the whole
  batch);
* per parameter, on each backward: the gradient norm;
* per parameter, on each `record_update()` (call it after `optimizer.step()`): the
  update-to-weight ratio ||w_after - w_before|| / ||w_before||, about 1e-3 in a healthy run.
  The weights are snapshotted at `attach()` and after each `record_update()`, so it needs
  nothing from the optimizer.

Results are plain dict rows (`rows`), per-name series (`history`) for plotting, and a text
table (`format_table`).

Example:
    >>> with nn.utils.TrainingDiagnostics(model) as diag:
    ...     for x, y in loader:
    ...         loss = F.cross_entropy(model(x), y)
    ...         opt.zero_grad(); loss.backward(); opt.step()
    ...         diag.record_update()
    >>> print(diag.format_table())
"""
import math

import numpy as np

from ..activation import ReLU, ReLU6
from ..module import Module

__all__ = ["TrainingDiagnostics"]

_DEAD_TYPES = (ReLU, ReLU6)


class TrainingDiagnostics:
    """Records activation statistics, gradient norms and update ratios of `model`.

    Args:
        model: the Module to watch.
        modules: names of the submodules whose outputs are recorded (default: every leaf
            module, i.e. without children).
        every: record activations and gradients on every `every`-th forward step only.
        track_output_grads: also record the norm of the gradient with respect to each watched
            module's output (adds a full backward hook, so a little graph, per layer).
    """

    def __init__(self, model, modules=None, every=1, track_output_grads=False):
        if not isinstance(model, Module):
            raise TypeError(f"TrainingDiagnostics expects an nn.Module, got "
                            f"{type(model).__name__}")
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.model = model
        self.every = every
        self.track_output_grads = track_output_grads
        named = dict(model.named_modules())
        if modules is None:
            modules = [n for n, m in named.items() if not m._modules and n != ""] or [""]
        missing = [n for n in modules if n not in named]
        if missing:
            raise ValueError(f"TrainingDiagnostics: no submodule named {missing}")
        self.modules = {n: named[n] for n in modules}
        self.rows = []
        self.step = 0
        self._handles = []
        self._snapshot = None

    # ------------------------------------------------------------------ attach / detach
    def attach(self):
        """Register the hooks and snapshot the weights; returns self."""
        if self._handles:
            return self
        self._handles.append(self.model.register_forward_pre_hook(self._on_step))
        for name, module in self.modules.items():
            self._handles.append(module.register_forward_hook(self._activation_hook(name)))
            if self.track_output_grads:
                self._handles.append(
                    module.register_full_backward_hook(self._output_grad_hook(name)))
        for name, p in self.model.named_parameters():
            if p.requires_grad:
                self._handles.append(p.register_hook(self._grad_hook(name)))
        self._take_snapshot()
        return self

    def detach(self):
        """Remove every hook (the recorded rows stay)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __enter__(self):
        return self.attach()

    def __exit__(self, *exc):
        self.detach()
        return False

    # ------------------------------------------------------------------ hooks
    def _active(self):
        return (self.step - 1) % self.every == 0

    def _on_step(self, module, args):
        self.step += 1

    def _activation_hook(self, name):
        def hook(module, args, output):
            if not self._active() or not hasattr(output, "_data"):
                return None
            out = output._data
            if out.dtype.kind != "f" or out.size == 0:
                return None
            row = {"step": self.step, "kind": "activation", "name": name,
                   "type": type(module).__name__, "mean": float(out.mean(dtype=np.float64)),
                   "std": float(out.std(dtype=np.float64)), "dead_fraction": None}
            if isinstance(module, _DEAD_TYPES) and out.ndim >= 2:
                dead = np.all(out <= 0, axis=0)
                row["dead_fraction"] = float(dead.mean())
            self.rows.append(row)
            return None
        return hook

    def _grad_hook(self, name):
        def hook(grad):
            if self._active():
                g = grad._data.astype(np.float64, copy=False)
                self.rows.append({"step": self.step, "kind": "gradient", "name": name,
                                  "grad_norm": float(np.sqrt(np.dot(g.ravel(), g.ravel())))})
            return None
        return hook

    def _output_grad_hook(self, name):
        def hook(module, grad_input, grad_output):
            if self._active():
                sq = sum(float(np.sum(g._data.astype(np.float64) ** 2))
                         for g in grad_output if g is not None)
                self.rows.append({"step": self.step, "kind": "output_grad", "name": name,
                                  "grad_norm": math.sqrt(sq)})
            return None
        return hook

    # ------------------------------------------------------------------ updates
    def _take_snapshot(self):
        self._snapshot = {n: p._data.copy() for n, p in self.model.named_parameters()}

    def record_update(self):
        """Record ||w - w_prev|| / ||w_prev|| per parameter since the last call (or attach).
        Call after `optimizer.step()`. Returns the rows it added."""
        if self._snapshot is None:
            self._take_snapshot()
            return []
        added = []
        for name, p in self.model.named_parameters():
            before = self._snapshot.get(name)
            if before is None or before.shape != p._data.shape:
                continue
            b = before.astype(np.float64, copy=False).ravel()
            d = p._data.astype(np.float64, copy=False).ravel() - b
            w_norm = float(np.sqrt(np.dot(b, b)))
            u_norm = float(np.sqrt(np.dot(d, d)))
            added.append({"step": self.step, "kind": "update", "name": name,
                          "update_norm": u_norm, "weight_norm": w_norm,
                          "update_ratio": u_norm / w_norm if w_norm > 0 else math.inf
                          if u_norm > 0 else 0.0})
        self.rows.extend(added)
        self._take_snapshot()
        return added

    # ------------------------------------------------------------------ results
    def history(self, name, key):
        """[(step, value), ...] of `key` ('mean', 'std', 'dead_fraction', 'grad_norm',
        'update_ratio') for the layer or parameter `name`, ready to plot."""
        return [(r["step"], r[key]) for r in self.rows if r["name"] == name and key in r]

    def latest(self):
        """One dict per watched layer with the most recent value of every metric:
        name, type, mean, std, dead_fraction, grad_norm (of its parameters together) and
        update_ratio (||update|| / ||weights|| over its parameters)."""
        acts, grads, updates = {}, {}, {}
        for r in self.rows:
            if r["kind"] == "activation":
                acts[r["name"]] = r
            elif r["kind"] == "gradient":
                grads[r["name"]] = r
            elif r["kind"] == "update":
                updates[r["name"]] = r
        result = []
        for name, module in self.modules.items():
            prefix = name + "." if name else ""
            pnames = [prefix + n for n in module._parameters if module._parameters[n] is not None]
            a = acts.get(name, {})
            g = [grads[p]["grad_norm"] for p in pnames if p in grads]
            u = [updates[p] for p in pnames if p in updates]
            w_sq = sum(x["weight_norm"] ** 2 for x in u)
            result.append({
                "name": name or type(module).__name__, "type": type(module).__name__,
                "mean": a.get("mean"), "std": a.get("std"),
                "dead_fraction": a.get("dead_fraction"),
                "grad_norm": math.sqrt(sum(x * x for x in g)) if g else None,
                "update_ratio": (math.sqrt(sum(x["update_norm"] ** 2 for x in u) / w_sq)
                                 if u and w_sq > 0 else None),
            })
        return result

    def format_table(self):
        """The latest values as a fixed-width text table, one line per watched layer."""
        header = ("layer", "type", "act mean", "act std", "dead %", "grad norm", "update/weight")
        lines = []
        for r in self.latest():
            lines.append((r["name"], r["type"], _fmt(r["mean"]), _fmt(r["std"]),
                          "-" if r["dead_fraction"] is None else f"{100 * r['dead_fraction']:.1f}",
                          _fmt(r["grad_norm"]), _fmt(r["update_ratio"])))
        widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h)
                  for i, h in enumerate(header)]
        fmt = "  ".join("{:<%d}" % w if i < 2 else "{:>%d}" % w for i, w in enumerate(widths))
        out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*line) for line in lines]
        return f"step {self.step}\n" + "\n".join(out)


def _fmt(v):
    if v is None:
        return "-"
    return f"{v:.3e}" if v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e4) else f"{v:.4f}"
