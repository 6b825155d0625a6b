"""Pictures and tables for examples/train_mlp.py: loss curves, training diagnostics, confusion
matrix. Plots use matplotlib's Agg backend (files only, no display needed)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

DPI = 100
# Dropout's output statistics are its input's (rescaled): lines that only crowd the picture.
SKIP_IN_PLOTS = ("Dropout",)


def plot_curves(metrics, path):
    """Train/val loss and val accuracy per epoch, the best epoch marked; writes a PNG."""
    rows = metrics["epochs"]
    epochs = [r["epoch"] for r in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8), dpi=DPI)
    ax_loss.plot(epochs, [r["train_loss"] for r in rows], marker=".", label="train")
    ax_loss.plot(epochs, [r["val_loss"] for r in rows], marker=".", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss", yscale="log")
    ax_acc.plot(epochs, [100 * r["val_accuracy"] for r in rows], marker=".", color="C2",
                label="validation")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="validation accuracy")
    best = metrics.get("best_epoch")
    if best:
        for ax in (ax_loss, ax_acc):
            ax.axvline(best, color="0.5", linestyle="--", linewidth=1, label=f"best ({best})")
    test = metrics.get("test_accuracy")
    if test is not None:
        ax_acc.axhline(100 * test, color="C3", linestyle=":", linewidth=1,
                       label=f"test {100 * test:.2f}%")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(metrics.get("title", ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_diagnostics(history, path, title=""):
    """Four panels over training, one line per layer: activation std, dead-unit fraction,
    gradient norm and update-to-weight ratio (log scale; ~1e-3 is the usual healthy value).

    `history` is a list of {"epoch": e, "layers": [row, ...]}, the rows of
    `nn.utils.TrainingDiagnostics.latest()` (keys: name, type, mean, std, dead_fraction,
    grad_norm, update_ratio). Panels skip layers with no value (a ReLU has no gradient).
    """
    panels = (("std", "activation std", "linear"),
              ("dead_fraction", "dead-unit fraction", "linear"),
              ("grad_norm", "weight gradient norm", "log"),
              ("update_ratio", "update / weight norm", "log"))
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.6), dpi=DPI)
    epochs = [h["epoch"] for h in history]
    layers = [(r["name"], r["type"]) for r in history[-1]["layers"]] if history else []
    for ax, (key, label, scale) in zip(axes, panels):
        for k, (name, kind) in enumerate(layers):
            if kind in SKIP_IN_PLOTS:
                continue
            ys = [_value(h["layers"], name, key) for h in history]
            if all(y is None for y in ys):
                continue
            ax.plot(epochs, [float("nan") if y is None else y for y in ys], marker=".",
                    color=f"C{k % 10}", label=f"{name} {kind}")
            ax.legend(fontsize=7)
        if key == "update_ratio":
            ax.axhline(1e-3, color="0.5", linestyle="--", linewidth=1)
        if scale == "log" and ax.has_data():
            ax.set_yscale("log")
        ax.set(xlabel="epoch", title=label)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _value(rows, name, key):
    for r in rows:
        if r["name"] == name:
            v = r.get(key)
            return None if v is None else float(v)
    return None


def format_table(rows, columns):
    """A plain-text table; `columns` is a list of (key, header, format spec)."""
    cells = [[header for _, header, _ in columns]]
    for r in rows:
        cells.append(["-" if r.get(k) is None else format(r[k], spec) for k, _, spec in columns])
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_confusion(matrix, labels=None):
    """The confusion matrix as text: rows are true classes, columns predicted ones."""
    n = len(matrix)
    labels = [str(k) for k in range(n)] if labels is None else [str(x) for x in labels]
    width = max(4, max(len(str(v)) for row in matrix for v in row) + 1)
    head = "true\\pred".ljust(10) + "".join(x.rjust(width) for x in labels)
    lines = [head]
    for label, row in zip(labels, matrix):
        lines.append(label.ljust(10) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)
