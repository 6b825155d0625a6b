"""Drawing computation graphs with Graphviz.

`draw_graph(loss)` returns a `graphviz.Digraph`: one node per op (its class name: `Mul`,
`MatMul`, a user `Function`'s name), one per leaf tensor (its parameter name, or `input`), one
per output, with edges in the direction data flows. `render(loss, path="g.png")` writes an image
with the Graphviz `dot` binary; `draw_module(model, x)` runs a forward pass (and, when asked for
gradients, a backward) and draws it with the ops of each submodule call inside a labelled box.

Example:
    >>> from autograd import viz
    >>> loss = ((x @ w + b).tanh() * 2).sum()
    >>> viz.render(loss, path="graph.svg", params={"w": w, "b": b})
    'graph.svg'
    >>> viz.draw_module(model, x, "model.png", show_grads=True, module_name="net")

The `graphviz` Python package is imported only when a graph is drawn (`pip install
tapegrad[viz]`), so `import autograd` never needs it; rendering also needs the `dot` binary
(`apt-get install -y graphviz`, `brew install graphviz`).
"""
import gc
import os
import shutil

from . import _modules, _style, _walk

__all__ = ["draw_graph", "render", "draw_module", "GraphvizNotFoundError"]

_RANKDIRS = ("TB", "LR", "BT", "RL")
_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "ps", "eps",
            "dot", "gv", "json", "plain")
_INSTALL_HELP = (
    "Install Graphviz, which provides `dot`: `apt-get install -y graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or a package "
    "from https://graphviz.org/download/ (make sure `dot` is on PATH). The Python bindings come "
    "from the `graphviz` pip package (`pip install tapegrad[viz]`); they do not include `dot`. "
    "Without it, draw_graph(...).source still gives the DOT text.")


class GraphvizNotFoundError(RuntimeError):
    """Raised by `render` when the Graphviz `dot` executable is not on PATH."""


def draw_graph(*roots, params=None, inputs=None, show_shapes=True, show_dtypes=False,
               show_grads=False, show_saved=False, group_modules=True, max_nodes=500,
               rankdir="TB", grad_threshold=1e-7, module_name=None, legend=None, title=None):
    """The graph that produced `roots`, as a `graphviz.Digraph` (its `.source` is DOT text).

    Args:
        *roots: Tensors (or lists of them) whose graph to draw; each gets an output node.
        params: names for leaf tensors: a dict name -> Tensor, or anything with
            `named_parameters()` (an `nn.Module`; its submodule calls then become clusters).
        inputs: names for input tensors (drawn in the input style): a dict, a Tensor (`input`)
            or a sequence of Tensors. Unnamed leaves are drawn as `input`.
        show_shapes, show_dtypes: print each node's output shape / dtype.
        show_grads: print the norm of the gradient of every leaf (and of intermediates that
            called `retain_grad()`); gradients with NaN/inf and norms below `grad_threshold`
            are coloured, and a legend explains the colours.
        show_saved: print the bytes each op saved for backward (`freed` after a backward).
        group_modules: draw the ops created inside each submodule call inside a cluster (needs
            `params` to be a module that records `_call_ranges`).
        max_nodes: above this many nodes the graph is collapsed: runs of repeated ops are
            folded into one node, then the nodes farthest from the outputs are merged; a note
            says how many were hidden. None draws everything.
        rankdir: "TB" (inputs at the top), "LR", "BT" or "RL".
        grad_threshold: gradient norms below this are coloured as vanishing.
        module_name: prefix for the module's names (`net` gives `net.0.weight`).
        legend: draw the legend; by default only when `show_grads`.
        title: a line of text above the graph.

    Node names are numbered breadth-first from the roots (`n0` produces the first root), so the
    same graph always gives the same DOT text.
    """
    graphviz = _import_graphviz()
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    roots = _flatten_roots(roots)
    names, owners, module = _leaf_names(params, module_name)
    input_names = _input_names(inputs)
    if legend is None:
        legend = bool(show_grads)

    budget = None if max_nodes is None else max_nodes - len(roots) - int(legend)
    if budget is not None and budget < 2:
        raise ValueError(f"draw_graph: max_nodes={max_nodes} leaves no room for the graph "
                         f"beside {len(roots)} output(s) and the legend")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # NOTE: the walk makes millions of small objects and no cycles
    try:
        graph = _walk.collect(roots)
        if budget is None or len(graph.objs) <= budget:
            view = _walk.full_view(graph)
        else:
            view = _walk.collapse(graph, budget)
    finally:
        if gc_was_enabled:
            gc.enable()

    opts = dict(show_shapes=show_shapes, show_dtypes=show_dtypes, show_grads=show_grads,
                show_saved=show_saved, threshold=grad_threshold)
    notes = [title] if title else []
    if view.collapsed:
        notes.append(f"collapsed: {view.hidden:,} of {len(graph.objs):,} nodes hidden "
                     f"(max_nodes={max_nodes:,})")
    dot = graphviz.Digraph(
        graph_attr=dict(rankdir=rankdir, fontname=_style.FONT, fontsize="12",
                        **(dict(label=_style.label(notes), labelloc="t", labeljust="l")
                           if notes else {})),
        node_attr=dict(fontname=_style.FONT, fontsize="11"),
        edge_attr=dict(color="#4b5563", arrowsize="0.7"))

    ids = [_item_id(item, k) for k, item in enumerate(view.items)]
    placement = [None] * len(view.items)
    clusters = []
    if group_modules and module is not None:
        clusters, placement = _place_in_calls(module, graph, view, names, owners)
    bodies = {id(c): graphviz.Digraph(name=f"cluster_{k}",
                                      graph_attr=_cluster_attrs(c, module_name))
              for k, c in enumerate(clusters)}

    hidden_grads = _hidden_grads(graph, view, grad_threshold) if show_grads else {}
    kinds = set()
    for k, item in enumerate(view.items):
        kind, lines, grad_state = _describe(item, graph, names, input_names, opts)
        if k in hidden_grads:
            line, grad_state = hidden_grads[k]
            lines.append(line)
        kinds.add(kind)
        target = dot if placement[k] is None else bodies[id(placement[k])]
        target.node(ids[k], label=_style.label(lines), **_style.attrs(kind, grad_state))
    out_ids = []
    for r, root in enumerate(roots):
        out_ids.append(f"out{r}")
        name = "output" if len(roots) == 1 else f"output {r}"
        line = _style.shape_line(root.shape, root.dtype, show_shapes, show_dtypes) \
            if not root._is_node else None
        dot.node(out_ids[r], label=_style.label([name] + ([line] if line else [])),
                 **_style.attrs("output"))
        kinds.add("output")
    if legend:
        dot.node("legend", label=_style.legend(kinds, show_grads, grad_threshold),
                 shape="plaintext", **{"class": "legend"})

    _attach_clusters(dot, clusters, bodies)
    for a, b in view.edges:
        dot.edge(ids[a], ids[b])
    for r, item in enumerate(view.item_of_root):
        if item is not None:
            dot.edge(ids[item], out_ids[r])
    return dot


def render(*roots, path, format=None, **options):
    """Draw `roots` with `draw_graph(**options)` and write the image to `path`; return the path.

    `format` ("png", "svg", "pdf", any format `dot` knows) defaults to the suffix of `path`
    when it names an image format, else "png"; a path without such a suffix gets one
    (`graph` -> `graph.png`). Raises `GraphvizNotFoundError` when `dot` is missing.
    """
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1][1:].lower()
    if format is None:
        format = suffix if suffix in _FORMATS else "png"
    if suffix not in _FORMATS:
        path = f"{path}.{format}"
    dot = draw_graph(*roots, **options)
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(f"render(): the Graphviz `dot` executable was not found on "
                                    f"PATH, so {path!r} cannot be drawn. {_INSTALL_HELP}")
    graphviz = _import_graphviz()
    try:
        data = dot.pipe(format=format)
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError(f"render(): running `dot` failed ({e}). {_INSTALL_HELP}") \
            from e
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def draw_module(module, example_input, path=None, *, loss_fn=None, format=None, **options):
    """Run `module(example_input)` and draw the graph; render it to `path` when given.

    A floating-point input that does not require grad is replaced by a copy that does, so it
    appears in the picture as `input`. With `loss_fn`, the graph drawn is that of
    `loss_fn(output)`. With `show_grads=True` a backward pass runs first, from the loss or as if
    from `output.sum()`; the module's `.grad` values are restored afterwards, so drawing leaves
    the model as it was (with `show_saved=True` the graph is retained, so the saved bytes show).

    Returns the `graphviz.Digraph`, or the path written when `path` is given.

    Example:
        >>> viz.draw_module(model, x, "step.png", loss_fn=lambda out: F.cross_entropy(out, y),
        ...                 show_grads=True, module_name="net")
    """
    from ..grad_mode import enable_grad
    from ..tensor import Tensor

    args = tuple(example_input) if isinstance(example_input, (tuple, list)) else (example_input,)
    args = tuple(_as_graph_input(a, Tensor) for a in args)
    tensors = [a for a in args if isinstance(a, Tensor) and a._requires_grad]
    options.setdefault("params", module)
    options.setdefault("inputs", tensors[0] if len(tensors) == 1 else tensors)
    params = list(module.parameters()) if hasattr(module, "parameters") else []
    stashed = [p._grad for p in params]
    try:
        with enable_grad():
            out = module(*args)
            roots = _flatten_roots((out if loss_fn is None else loss_fn(out),))
            if options.get("show_grads"):
                for p in params:
                    p._grad = None
                from ..engine import backward
                grown = [r for r in roots if r._requires_grad]
                backward(grown, [_ones_like(r) for r in grown],
                         retain_graph=bool(options.get("show_saved")))
        if path is not None:
            return render(*roots, path=path, format=format, **options)
        return draw_graph(*roots, **options)
    finally:
        for p, g in zip(params, stashed):
            p._grad = g


# ---------------------------------------------------------------------- helpers
def _import_graphviz():
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "autograd.viz needs the `graphviz` Python package: pip install tapegrad[viz] (or "
            "pip install graphviz). Rendering images also needs the Graphviz `dot` binary: "
            "apt-get install -y graphviz, or brew install graphviz.") from e
    return graphviz


def _flatten_roots(roots):
    out = []
    for r in roots:
        if isinstance(r, (tuple, list)):
            out.extend(r)
        else:
            out.append(r)
    for r in out:
        if not (hasattr(r, "grad_fn") or getattr(r, "_is_node", False)):
            raise TypeError(f"draw_graph: roots must be Tensors, got {type(r).__name__}")
    return out


def _leaf_names(params, prefix):
    """id(tensor) -> display name, id(tensor) -> raw name (for finding its module), module."""
    if params is None:
        return {}, {}, None
    if isinstance(params, dict):
        return {id(t): str(n) for n, t in params.items()}, {}, None
    if not hasattr(params, "named_parameters"):
        raise TypeError(f"draw_graph: params must be a dict of tensors or have "
                        f"named_parameters(), got {type(params).__name__}")
    names, owners = {}, {}
    for n, t in params.named_parameters():
        names.setdefault(id(t), _modules.qualified(n, prefix))
        owners.setdefault(id(t), n)
    module = params if hasattr(params, "named_modules") else None
    return names, owners, module


def _input_names(inputs):
    if inputs is None:
        return {}
    if isinstance(inputs, dict):
        return {id(t): str(n) for n, t in inputs.items()}
    if isinstance(inputs, (tuple, list)):
        if len(inputs) == 1:
            return {id(inputs[0]): "input"}
        return {id(t): f"input {k}" for k, t in enumerate(inputs)}
    return {id(inputs): "input"}


def _item_id(item, k):
    if isinstance(item, int):
        return f"n{item}"
    if isinstance(item, _walk.Run):
        return f"run{k}"
    return "hidden"


def _describe(item, graph, names, input_names, opts):
    """(kind, label lines, gradient state) of one drawn item."""
    if isinstance(item, _walk.Hidden):
        return "hidden", [f"⋯ {item.count:,} more nodes", "(beyond max_nodes)"], None
    if isinstance(item, _walk.Run):
        pattern = item.pattern[0] if len(item.pattern) == 1 else \
            "(" + " → ".join(item.pattern) + ")"
        lines = [f"× {item.count:,} {pattern}"]
        if item.side:
            lines.append(f"+ {item.side:,} side inputs")
        last = graph.objs[int(item.members[-1])]
        _append(lines, _style.shape_line(last._shape, last._dtype, opts["show_shapes"],
                                         opts["show_dtypes"]))
        if opts["show_saved"]:
            saved = [graph.objs[int(k)]._saved for k in item.members]
            if all(s is None for s in saved):
                lines.append("saved: freed")
            else:
                lines.append("saved " + _style.format_bytes(sum(
                    a.nbytes for s in saved if s for a in s if hasattr(a, "nbytes"))))
        return "run", lines, None
    obj = graph.objs[item]
    grad_state = None
    if obj._is_node:
        lines = [_walk._type_name(obj)]
        _append(lines, _style.shape_line(obj._shape, obj._dtype, opts["show_shapes"],
                                         opts["show_dtypes"]))
        if opts["show_saved"]:
            lines.append(_style.saved_line(obj))
        retained = obj._retain() if obj._retain is not None else None
        if opts["show_grads"] and retained is not None:
            line, grad_state = _style.grad_info(retained, opts["threshold"])
            lines.append(line)
        return "op", lines, grad_state
    key = id(obj)
    if key in names:
        kind, name = "param", names[key]
    elif key in input_names:
        kind, name = "input", input_names[key]
    elif type(obj).__name__ == "Parameter":
        kind, name = "param", "parameter"
    else:
        kind, name = "input", "input"
    lines = [name]
    _append(lines, _style.shape_line(obj.shape, obj.dtype, opts["show_shapes"],
                                     opts["show_dtypes"]))
    if opts["show_grads"]:
        line, grad_state = _style.grad_info(obj, opts["threshold"])
        lines.append(line)
    return kind, lines, grad_state


def _hidden_grads(graph, view, threshold):
    """For folded and hidden items: a line counting the bad gradients inside, and the state of
    the worst one, so a NaN deep in a collapsed run still shows."""
    counts = {}
    for node, item in view.folded():
        obj = graph.objs[node]
        holder = obj if not obj._is_node else (obj._retain() if obj._retain is not None else None)
        if holder is None or holder._grad is None:
            continue
        state = _style.grad_info(holder, threshold)[1]
        if state is not None:
            c = counts.setdefault(item, {"nonfinite": 0, "tiny": 0})
            c[state] += 1
    result = {}
    for item, c in counts.items():
        parts = [f"{c['nonfinite']:,} NaN/inf"] if c["nonfinite"] else []
        parts += [f"{c['tiny']:,} tiny"] if c["tiny"] else []
        result[item] = ("grads inside: " + ", ".join(parts),
                        "nonfinite" if c["nonfinite"] else "tiny")
    return result


def _append(lines, line):
    if line:
        lines.append(line)


def _place_in_calls(module, graph, view, names, owners):
    """The clusters to draw (used module calls) and, per item, the call it is drawn in."""
    calls = _modules.module_calls(module)
    placement = [None] * len(view.items)
    if not calls:
        return [], placement
    seqs, which = [], []
    for k, item in enumerate(view.items):
        if isinstance(item, int) and graph.objs[item]._is_node:
            seqs.append(graph.objs[item]._seq)
            which.append(k)
        elif isinstance(item, _walk.Run):
            seqs.append(graph.objs[int(item.members[0])]._seq)
            seqs.append(graph.objs[int(item.members[-1])]._seq)
            which.extend((k, -1 - k))
    found = _modules.innermost(calls, seqs)
    for j, k in enumerate(which):
        if k >= 0:
            placement[k] = found[j]
        else:
            placement[-1 - k] = _modules.common_call(placement[-1 - k], found[j])
    per_module = _modules.mark_used(calls, [c for c in placement if c is not None])
    by_name = dict(module.named_modules())
    for k, item in enumerate(view.items):
        if isinstance(item, int) and id(graph.objs[item]) in owners:
            owner = by_name.get(owners[id(graph.objs[item])].rpartition(".")[0])
            used = per_module.get(id(owner), ())
            if len(used) == 1:
                placement[k] = used[0]
    return [c for c in calls if c.used], placement


def _cluster_attrs(call, prefix):
    return dict(label=_modules.call_label(call, prefix), labeljust="l", style="rounded,filled",
                fillcolor="#f9fafb" if call.depth % 2 == 0 else "#eef2f7", color="#9ca3af",
                fontname=_style.FONT, fontsize="11")


def _attach_clusters(dot, clusters, bodies):
    """Nest cluster bodies innermost first (a subgraph is copied when attached)."""
    for c in sorted(clusters, key=lambda c: -c.depth):
        parent = dot if c.parent is None else bodies[id(c.parent)]
        parent.subgraph(bodies[id(c)])


def _as_graph_input(a, tensor_type):
    if isinstance(a, tensor_type) and not a._requires_grad and a.dtype.kind == "f":
        return a.detach().requires_grad_(True)
    return a


def _ones_like(t):
    import numpy as np
    from ..tensor import _make
    return _make(np.ones(t.shape, t.dtype), None)
