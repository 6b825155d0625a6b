"""Graph rendering: DOT text node by node, real PNG/SVG from `dot`, clusters, gradients, collapse.

Rendering tests run the real Graphviz `dot` binary (README's set-up and `.ci/run` install it).
"""
import collections
import os
import re
import subprocess
import sys
from pathlib import Path
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
from autograd import function, viz

graphviz = pytest.importorskip("graphviz")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------------- helpers
def parse_dot(source):
    """Nodes {id: {attr: value}} and edges [(a, b)] of DOT text made by graphviz.Digraph."""
    nodes, edges = {}, []
    for line in source.splitlines():
        line = line.strip()
        m = re.fullmatch(r"(\w+) -> (\w+)", line)
        if m:
            edges.append(m.groups())
            continue
        m = re.fullmatch(r"(\w+) \[(.*)\]", line)
        if m and m.group(1) not in ("graph", "node", "edge"):
            attrs = dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|<<.*>>|[^ \]]+)', m.group(2)))
            nodes[m.group(1)] = {k: v.strip('"') for k, v in attrs.items()}
    return nodes, edges


def svg_texts(path):
    tree = ET.parse(path)
    return [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text") if t.text]


def svg_node_classes(path):
    tree = ET.parse(path)
    result = {}
    for g in tree.iter("{http://www.w3.org/2000/svg}g"):
        cls = g.get("class", "")
        if cls.startswith("node"):
            title = g.find("{http://www.w3.org/2000/svg}title").text
            result[title] = cls
    return result


class FakeModule:
    """A stand-in for nn.Module: registers parameters and children and, on each call, records
    `(start, end)` values of autograd.function._seq in `_call_ranges`, as nn.Module does."""

    def __init__(self):
        self._params = {}
        self._children = {}
        self._call_ranges = collections.deque(maxlen=64)

    def __call__(self, *args):
        start = next(function._seq)
        out = self.forward(*args)
        self._call_ranges.append((start, next(function._seq)))
        return out

    def named_parameters(self):
        for name, m in self.named_modules():
            for pname, p in m._params.items():
                yield (f"{name}.{pname}" if name else pname), p

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def named_modules(self):
        stack = [("", self)]
        while stack:
            name, m = stack.pop(0)
            yield name, m
            stack[0:0] = [((f"{name}.{k}" if name else k), c) for k, c in m._children.items()]


# Named like nn's layers: the cluster label shows the class name.
class Linear(FakeModule):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.in_features, self.out_features = n_in, n_out
        self._params["weight"] = autograd.tensor(rng.standard_normal((n_out, n_in)),
                                                 dtype=autograd.float32, requires_grad=True)
        self._params["bias"] = autograd.zeros(n_out, requires_grad=True)

    def forward(self, x):
        return x @ self._params["weight"].T + self._params["bias"]


class Tanh(FakeModule):
    def forward(self, x):
        return x.tanh()


class Sequential(FakeModule):
    def __init__(self, *layers):
        super().__init__()
        for k, layer in enumerate(layers):
            self._children[str(k)] = layer

    def forward(self, x):
        for layer in self._children.values():
            x = layer(x)
        return x


def small_graph():
    """e = exp(a * b + a) with a, b of shape (2,)."""
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([0.5, -1.0], requires_grad=True)
    e = (a * b + a).exp()
    return a, b, e


def chain(n, x):
    y = x
    for _ in range(n):
        y = y * 1.0001
    return y


# ---------------------------------------------------------------------- DOT text
def test_dot_of_a_small_graph_matches_the_hand_written_nodes_and_edges():
    a, b, e = small_graph()
    nodes, edges = parse_dot(viz.draw_graph(e, params={"a": a, "b": b}).source)
    # Breadth-first from the output: Exp, Add, then Add's inputs in order (Mul, a), then b.
    expected_nodes = {
        "n0": ("Exp\\n(2,)", "op"),
        "n1": ("Add\\n(2,)", "op"),
        "n2": ("Mul\\n(2,)", "op"),
        "n3": ("a\\n(2,)", "param"),
        "n4": ("b\\n(2,)", "param"),
        "out0": ("output\\n(2,)", "output"),
    }
    assert {k: (v["label"], v["class"]) for k, v in nodes.items()} == expected_nodes
    assert edges == [("n1", "n0"), ("n2", "n1"), ("n3", "n1"), ("n3", "n2"), ("n4", "n2"),
                     ("n0", "out0")]
    # parameters, inputs, ops and the output each have their own look
    looks = {(v["shape"], v["fillcolor"]) for v in nodes.values()}
    assert len(looks) == 3  # param, op, output (no input in this graph)


def test_unnamed_leaves_are_inputs_and_dtypes_can_be_shown():
    a, b, e = small_graph()
    nodes, _ = parse_dot(viz.draw_graph(e, params={"a": a}, show_shapes=False,
                                        show_dtypes=True).source)
    assert nodes["n3"]["label"] == "a\\nfloat32"
    assert nodes["n4"]["label"] == "input\\nfloat32"
    assert nodes["n4"]["class"] == "input"
    assert nodes["n0"]["label"] == "Exp\\nfloat32"


def test_same_graph_gives_the_same_dot_source():
    sources = []
    for extra_ops in (0, 7):
        junk = autograd.ones(3, requires_grad=True)
        for _ in range(extra_ops):  # shifts every _seq and id(): ids must not depend on them
            junk = junk * 2.0
        a, b, e = small_graph()
        sources.append(viz.draw_graph(e, params={"a": a, "b": b}, show_saved=True).source)
    assert sources[0] == sources[1]


def test_several_roots_each_get_an_output_node():
    a, b, e = small_graph()
    f = a.sin()
    nodes, edges = parse_dot(viz.draw_graph(e, f).source)
    assert nodes["out0"]["label"] == "output 0\\n(2,)"
    assert nodes["out1"]["label"] == "output 1\\n(2,)"
    sin = [k for k, v in nodes.items() if v["label"].startswith("Sin")]
    assert (sin[0], "out1") in edges


def test_show_saved_counts_bytes_then_says_freed_after_backward():
    a, b, e = small_graph()
    nodes, _ = parse_dot(viz.draw_graph(e, show_saved=True).source)
    # Mul keeps both float32 (2,) inputs: 16 bytes; Exp keeps its (2,) output: 8 bytes.
    assert nodes["n2"]["label"] == "Mul\\n(2,)\\nsaved 16 B"
    assert nodes["n0"]["label"] == "Exp\\n(2,)\\nsaved 8 B"
    e.backward(autograd.ones(2))
    nodes, _ = parse_dot(viz.draw_graph(e, show_saved=True).source)
    assert nodes["n2"]["label"] == "Mul\\n(2,)\\nsaved: freed"


def test_gradient_graph_from_create_graph_is_drawn():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = x * x * x
    g, = autograd.grad(y, x, autograd.ones(2), create_graph=True)  # 3 x^2, itself a graph
    nodes, edges = parse_dot(viz.draw_graph(g, params={"x": x}).source)
    x_ids = [k for k, v in nodes.items() if v["label"] == "x\\n(2,)"]
    assert len(x_ids) == 1
    assert nodes["out0"]["label"] == "output\\n(2,)"
    # the backward formulas became ops: more than the two forward Muls, all reaching x
    ops = [k for k, v in nodes.items() if v["class"] == "op"]
    assert len(ops) > 2
    assert any(a == x_ids[0] for a, _ in edges)


def test_bad_arguments_raise():
    a, b, e = small_graph()
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(e, rankdir="UP")
    with pytest.raises(TypeError, match="params"):
        viz.draw_graph(e, params=[a, b])


# ---------------------------------------------------------------------- gradients
def test_grad_norms_annotate_leaves_and_retained_intermediates():
    a, b, _ = small_graph()
    h = a * b
    h.retain_grad()
    loss = (h * h).sum()
    loss.backward()
    nodes, _ = parse_dot(viz.draw_graph(loss, params={"a": a, "b": b}, show_grads=True).source)
    # loss = sum((a b)^2): dloss/da = 2 a b^2 = [0.5, 4], dloss/db = 2 a^2 b = [1, -8]
    labels = {v["label"].split("\\n")[0]: v["label"] for v in nodes.values()}
    assert labels["a"].endswith(f"‖grad‖ = {np.hypot(0.5, 4.0):.3g}")
    assert labels["b"].endswith(f"‖grad‖ = {np.hypot(1.0, 8.0):.3g}")
    # h = a b = [0.5, -2], dloss/dh = 2 h = [1, -4]
    mul = [v["label"] for v in nodes.values() if v["label"].startswith("Mul\\n(2,)\\n‖")]
    assert mul == [f"Mul\\n(2,)\\n‖grad‖ = {np.hypot(1.0, 4.0):.3g}"]
    assert "legend" in nodes


def test_nan_gradient_is_coloured_red_and_tiny_gradient_orange():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    v = autograd.tensor([3.0, 4.0], requires_grad=True)
    planted = autograd.tensor([float("nan"), 1.0])
    loss = (w * planted).sum() + (v * 1e-9).sum()
    loss.backward()
    source = viz.draw_graph(loss, params={"w": w, "v": v}, show_grads=True).source
    nodes, _ = parse_dot(source)
    by_name = {val["label"].split("\\n")[0]: val for val in nodes.values()}
    assert by_name["w"]["class"] == "param grad-nonfinite"
    assert by_name["w"]["fillcolor"] == "#f87171"
    assert by_name["w"]["label"].endswith("‖grad‖ = NaN")
    assert by_name["v"]["class"] == "param grad-tiny"
    assert by_name["v"]["fillcolor"] == "#fdba74"
    assert "grad has NaN or inf" in nodes["legend"]["label"]
    assert "‖grad‖ &lt; 1e-07" in nodes["legend"]["label"]


def test_leaves_without_gradient_say_so():
    a, b, e = small_graph()
    nodes, _ = parse_dot(viz.draw_graph(e, params={"a": a}, show_grads=True).source)
    assert nodes["n3"]["label"] == "a\\n(2,)\\ngrad: None"


# ---------------------------------------------------------------------- rendering
def test_render_png_writes_a_real_image(tmp_path):
    a, b, e = small_graph()
    path = viz.render(e, path=tmp_path / "graph.png", params={"a": a, "b": b},
                      show_saved=True)
    assert path == str(tmp_path / "graph.png")
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000


def test_render_svg_contains_parameter_names_ops_and_shapes(tmp_path):
    rng = np.random.default_rng(0)
    w = autograd.tensor(rng.standard_normal((4, 3)), dtype=autograd.float32, requires_grad=True)
    x = autograd.tensor(rng.standard_normal((5, 4)), dtype=autograd.float32, requires_grad=True)
    loss = (x @ w).tanh().sum()
    path = viz.render(loss, path=tmp_path / "graph", format="svg", params={"weight": w},
                      inputs={"x": x})
    assert path.endswith("graph.svg")
    texts = svg_texts(path)
    for expected in ("weight", "x", "MatMul", "Tanh", "Sum", "(4, 3)", "(5, 4)", "(5, 3)",
                     "output"):
        assert expected in texts
    classes = sorted(svg_node_classes(path).values())
    assert classes == ["node input", "node op", "node op", "node op", "node output",
                       "node param"]


def test_render_takes_the_format_from_the_suffix(tmp_path):
    a, b, e = small_graph()
    path = viz.render(e, path=tmp_path / "g.svg")
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    path = viz.render(e, path=tmp_path / "model.v2")
    assert path == str(tmp_path / "model.v2.png")
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_dot_binary_raises_with_install_instructions(monkeypatch, tmp_path):
    a, b, e = small_graph()
    monkeypatch.setenv("PATH", "")
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.render(e, path=tmp_path / "g.png")
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "apt-get install -y graphviz" in message
    assert "brew install graphviz" in message
    assert "pip install tapegrad[viz]" in message
    assert not (tmp_path / "g.png").exists()
    assert "Exp" in viz.draw_graph(e).source  # the DOT text needs no binary


def test_missing_graphviz_package_names_the_viz_extra(monkeypatch):
    a, b, e = small_graph()
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=r"tapegrad\[viz\]"):
        viz.draw_graph(e)


def test_importing_autograd_and_viz_does_not_need_graphviz():
    code = ("import sys; sys.modules['graphviz'] = None\n"
            "import autograd, autograd.viz\n"
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


# ---------------------------------------------------------------------- module clusters
def _cluster_of(source):
    """node id -> the label of the innermost cluster containing it ('' at top level)."""
    where = {}
    stack = [""]
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("subgraph cluster_"):
            stack.append(None)
        elif line.startswith("graph [") and stack[-1] is None:
            stack[-1] = re.search(r'label="([^"]*)"', line).group(1)
        elif line == "}":
            stack.pop()
        else:
            m = re.match(r"(\w+) \[", line)
            if m and m.group(1) not in ("graph", "node", "edge"):
                where[m.group(1)] = stack[-1]
    return where


def test_ops_of_each_submodule_call_are_drawn_in_a_labelled_cluster():
    rng = np.random.default_rng(0)
    net = Sequential(Linear(3, 4, rng), Tanh(), Linear(4, 2, rng))
    x = autograd.tensor(rng.standard_normal((5, 3)), dtype=autograd.float32)
    loss = (net(x) * 2.0).sum()
    source = viz.draw_graph(loss, params=net, module_name="net").source
    nodes, _ = parse_dot(source)
    where = _cluster_of(source)
    by_label = collections.defaultdict(list)
    for k, v in nodes.items():
        by_label[v["label"].split("\\n")[0]].append(where[k])
    assert by_label["net.0.weight"] == ["net.0: Linear(3 → 4)"]
    assert by_label["net.0.bias"] == ["net.0: Linear(3 → 4)"]
    assert by_label["net.2.weight"] == ["net.2: Linear(4 → 2)"]
    assert by_label["Tanh"] == ["net.1: Tanh"]
    assert sorted(by_label["MatMul"]) == ["net.0: Linear(3 → 4)", "net.2: Linear(4 → 2)"]
    assert by_label["Sum"] == [""] and by_label["output"] == [""]  # outside the model
    # clusters nest: the three layers sit inside the Sequential's cluster
    assert "label=\"net: Sequential\"" in source
    assert source.count("subgraph cluster_") == 4


def test_a_module_called_twice_gets_one_cluster_per_call():
    rng = np.random.default_rng(0)
    layer = Linear(2, 2, rng)
    x = autograd.ones(1, 2)
    loss = layer(layer(x).tanh()).sum()
    source = viz.draw_graph(loss, params=layer).source
    assert "Linear(2 → 2) (call 1)" in source and "Linear(2 → 2) (call 2)" in source
    nodes, _ = parse_dot(source)
    weight = [k for k, v in nodes.items() if v["label"].startswith("weight")]
    assert _cluster_of(source)[weight[0]] == ""  # shared by both calls: drawn outside


def test_draw_module_runs_forward_and_backward_and_restores_grads():
    rng = np.random.default_rng(0)
    net = Sequential(Linear(3, 4, rng), Tanh())
    for p in net.parameters():
        p.grad = autograd.full(p.shape, 5.0)
    x = autograd.tensor(rng.standard_normal((2, 3)), dtype=autograd.float32)
    dot = viz.draw_module(net, x, show_grads=True)
    nodes, _ = parse_dot(dot.source)
    labels = [v["label"] for v in nodes.values()]
    # backward as if from out.sum(): dsum/dbias = sum over the batch of 1 - tanh^2
    w = net._children["0"]._params["weight"].detach().numpy()
    t = np.tanh(x.detach().numpy() @ w.T)
    expected_bias = np.linalg.norm((1 - t ** 2).sum(axis=0))
    assert f"0.bias\\n(4,)\\n‖grad‖ = {expected_bias:.3g}" in labels
    assert any(lb.startswith("input\\n(2, 3)") for lb in labels)
    for p in net.parameters():
        assert np.all(p.grad.numpy() == 5.0)


def test_nn_module_draw_renders_layer_clusters(tmp_path):
    import nn
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    x = autograd.randn(4, 6)
    path = model.draw(x, tmp_path / "model.svg", module_name="net", show_grads=True)
    texts = svg_texts(path)
    for expected in ("net: Sequential", "net.0: Linear(6 → 5)", "net.1: ReLU",
                     "net.2: Linear(5 → 3)", "net.2.weight", "Relu", "input"):
        assert expected in texts
    titles = [t.text for t in ET.parse(path).iter("{http://www.w3.org/2000/svg}title")]
    assert sum(t.startswith("cluster_") for t in titles) == 4
    assert all(p.grad is None for p in model.parameters())  # drawing left .grad alone


# ---------------------------------------------------------------------- collapse
def test_a_long_chain_collapses_into_a_summary_within_max_nodes():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = chain(100_000, x)
    source = viz.draw_graph(y, params={"x": x}, max_nodes=50).source
    nodes, edges = parse_dot(source)
    assert len(nodes) <= 50
    runs = [v for v in nodes.values() if v["class"] == "run"]
    # 100,000 Muls: the first and the last stay, the 99,998 between are folded
    assert [r["label"] for r in runs] == ["× 99,998 Mul\\n(2,)"]
    assert "collapsed: 99,998 of 100,001 nodes hidden (max_nodes=50)" in source
    assert len(nodes) == 5  # x, Mul, the run, Mul, output
    assert len(edges) == 4


def test_a_repeated_block_is_folded_with_its_side_inputs():
    w = autograd.tensor([0.5, -0.5], requires_grad=True)
    h = autograd.tensor([1.0, 1.0], requires_grad=True)
    steps = 200
    for _ in range(steps):
        x_t = autograd.tensor([0.1, 0.2], requires_grad=True)
        h = (h * w + x_t).tanh()
    nodes, edges = parse_dot(viz.draw_graph(h, params={"w": w}, max_nodes=40).source)
    runs = [v["label"] for v in nodes.values() if v["class"] == "run"]
    # first and last steps stay; 198 steps folded with their x_t (198 side inputs)
    assert runs == ["× 198 (Mul → Add → Tanh)\\n+ 198 side inputs\\n(2,)"]
    # h0, w, 2 x 3 ops, 2 x_t, the run, the output
    assert len(nodes) == 12
    run_id = [k for k, v in nodes.items() if v["class"] == "run"][0]
    w_id = [k for k, v in nodes.items() if v["label"].startswith("w\\n")][0]
    assert (w_id, run_id) in edges  # the shared weight feeds the folded steps


def test_a_nan_gradient_folded_into_a_run_still_colours_it():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    ws = [autograd.tensor([1.0, 1.0], requires_grad=True) for _ in range(100)]
    y = x
    for w in ws:
        y = y * w
    y.backward(autograd.ones(2))
    ws[50].grad = autograd.tensor([float("nan"), 1.0])
    ws[60].grad = autograd.tensor([0.0, 0.0])
    nodes, _ = parse_dot(viz.draw_graph(y, max_nodes=20, show_grads=True).source)
    runs = [v for v in nodes.values() if v["class"].startswith("run")]
    # Muls 2..99 are folded with their weights; ws[50] and ws[60] feed folded Muls
    assert [r["label"] for r in runs] == [
        "× 98 Mul\\n+ 98 side inputs\\n(2,)\\ngrads inside: 1 NaN/inf, 1 tiny"]
    assert runs[0]["class"] == "run grad-nonfinite"


def test_graphs_still_too_big_after_folding_hide_the_far_end():
    rng = np.random.default_rng(0)
    unary = ["exp", "sin", "tanh", "cos", "sigmoid", "neg", "abs"]
    leaves = [autograd.tensor(rng.standard_normal(2), requires_grad=True) for _ in range(60)]
    total = leaves[0]
    for k, leaf in enumerate(leaves[1:]):  # no repeated blocks: every step differs
        total = total + getattr(leaf, unary[k % 7])() * float(k)
        total = getattr(total, unary[(k * 3) % 7])()
    graph_nodes = len(viz._walk.collect([total]).objs)
    source = viz.draw_graph(total, max_nodes=30).source
    nodes, _ = parse_dot(source)
    assert len(nodes) <= 30
    hidden = [v for v in nodes.values() if v["class"] == "hidden"]
    assert len(hidden) == 1
    count = int(hidden[0]["label"].split(" ")[1].replace(",", ""))
    drawn = sum(1 for k in nodes if k.startswith("n"))
    runs = sum(1 for v in nodes.values() if v["class"] == "run")
    assert runs == 0
    assert drawn + count == graph_nodes
    assert f"{count:,} of {graph_nodes:,} nodes hidden" in source


def test_small_graphs_are_never_collapsed():
    a, b, e = small_graph()
    source = viz.draw_graph(e, max_nodes=6).source
    assert "collapsed" not in source
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw_graph(e, max_nodes=2)


# ---------------------------------------------------------------------- the example
def test_visualize_graph_example_writes_its_pictures(tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        import visualize_graph
    finally:
        sys.path.pop(0)
    paths = visualize_graph.main(["--out", str(tmp_path), "--sizes", "6,5,3", "--batch", "4"])
    assert [os.path.basename(p) for p in paths] == ["mlp_forward.png", "mlp_graph.png",
                                                    "hvp_graph.png"]
    for p in paths:
        assert Path(p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
