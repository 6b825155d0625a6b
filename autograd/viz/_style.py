"""How each kind of node looks, and the text of its label."""
import html

import numpy as np

FONT = "Helvetica"

STYLES = {
    "param": dict(shape="box", style="rounded,filled", fillcolor="#dbeafe", color="#1d4ed8"),
    "input": dict(shape="box", style="filled", fillcolor="#dcfce7", color="#15803d"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#f3f4f6", color="#4b5563"),
    "output": dict(shape="box", style="filled,bold", fillcolor="#fef08a", color="#a16207"),
    "run": dict(shape="box3d", style="filled", fillcolor="#ede9fe", color="#6d28d9"),
    "hidden": dict(shape="note", style="filled,dashed", fillcolor="#ffffff", color="#6b7280"),
}
GRAD_STYLES = {  # overrides for nodes whose gradient is suspicious
    "nonfinite": dict(fillcolor="#f87171", color="#991b1b", penwidth="2.5"),
    "tiny": dict(fillcolor="#fdba74", color="#c2410c", penwidth="2"),
}
_LEGEND_NAMES = {"param": "parameter", "input": "input", "op": "op", "output": "output",
                 "run": "repeated ops, folded", "hidden": "nodes hidden (max_nodes)"}


def attrs(kind, grad_state=None):
    a = dict(STYLES[kind])
    a["class"] = kind
    if grad_state in GRAD_STYLES:
        a.update(GRAD_STYLES[grad_state])
        a["class"] = f"{kind} grad-{grad_state}"
    return a


def label(lines):
    """A plain (non-HTML) DOT label: backslashes escaped, lines joined by DOT's `\\n`."""
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


def shape_line(shape, dtype, show_shapes, show_dtypes):
    """`(2, 3)`, `(2, 3) float32`, `float32` or None. Multi-output ops give one per output."""
    parts = []
    multi = isinstance(shape, tuple) and shape and isinstance(shape[0], tuple)
    shapes = shape if multi else (shape,)
    dtypes = dtype if multi else (dtype,)
    for s, d in zip(shapes, dtypes):
        text = []
        if show_shapes:
            text.append(str(tuple(s)))
        if show_dtypes:
            text.append(str(np.dtype(d)))
        if text:
            parts.append(" ".join(text))
    return ", ".join(parts) or None


def saved_line(node):
    """`saved 1.5 KiB` (bytes of the arrays kept for backward) or `saved: freed`."""
    saved = node._saved
    if saved is None:
        return "saved: freed"
    return "saved " + format_bytes(sum(a.nbytes for a in saved if isinstance(a, np.ndarray)))


def format_bytes(n):
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}"


def grad_info(tensor, threshold):
    """(label line, state) for the gradient held by `tensor`; state is None, "nonfinite" or
    "tiny". A tensor without a gradient gives ("grad: None", None)."""
    g = tensor._grad
    if g is None:
        return "grad: None", None
    arr = np.asarray(g._data)
    if not np.isfinite(arr).all():
        what = "NaN" if np.isnan(arr).any() else "inf"
        return f"‖grad‖ = {what}", "nonfinite"
    norm = _norm(arr)
    return f"‖grad‖ = {norm:.3g}", ("tiny" if norm < threshold else None)


def _norm(arr):
    # NOTE: scaled, so large float64 gradients do not overflow to inf when squared.
    big = float(np.abs(arr).max(initial=0.0))
    if big == 0.0:
        return 0.0
    scaled = arr.astype(np.float64) / big
    return big * float(np.sqrt(np.dot(scaled.ravel(), scaled.ravel())))


def legend(kinds, show_grads, threshold):
    """An HTML-table node listing the styles used."""
    rows = []
    for kind in ("param", "input", "op", "output", "run", "hidden"):
        if kind in kinds:
            rows.append((STYLES[kind]["fillcolor"], _LEGEND_NAMES[kind]))
    if show_grads:
        rows.append((GRAD_STYLES["nonfinite"]["fillcolor"], "grad has NaN or inf"))
        rows.append((GRAD_STYLES["tiny"]["fillcolor"], f"‖grad‖ < {threshold:g}"))
    cells = "".join(f'<TR><TD BGCOLOR="{color}">{html.escape(text)}</TD></TR>'
                    for color, text in rows)
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
            f'<TR><TD><B>legend</B></TD></TR>{cells}</TABLE>>')
