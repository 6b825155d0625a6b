"""Smoke tests of the benchmark suite: the --quick logic at tiny sizes produces a well-formed
table in which every row has a finite ratio, the CLI writes JSON, and the hand-written NumPy
baselines compute the same numbers as the engine (so each ratio compares like with like).
No timing is asserted anywhere."""
import gzip
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import autograd  # noqa: E402
from benchmarks import (_engine, _numpy_ref, _report, bench_chain, bench_fused,  # noqa: E402
                        bench_memory, bench_mlp, bench_mnist, bench_ops, bench_optim,
                        bench_scaling, run)

EXPECTED_WORKLOADS = ["mlp step", "chain 10k", "chain scaling", "broadcast", "reduce",
                      "matmul", "fused vs composed", "optim step", "memory peak",
                      "memory growth", "mnist epoch"]


def _write_idx(path, arr):
    header = struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + arr.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_mnist(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (150, 28, 28))
    labels = rng.integers(0, 10, 150)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    return tmp_path, images, labels


@pytest.fixture
def tiny_sizes(monkeypatch):
    """Shrink every workload below its --quick size so the whole suite runs in seconds."""
    monkeypatch.setattr(bench_mlp, "QUICK_REPEATS", 2)
    monkeypatch.setattr(bench_chain, "N_OPS", 50)
    monkeypatch.setattr(bench_chain, "QUICK_REPEATS", 1)
    monkeypatch.setattr(bench_scaling, "SIZES", (40, 80))
    monkeypatch.setattr(bench_scaling, "QUICK_REPEATS", 1)
    monkeypatch.setattr(bench_ops, "SIZES", (8,))
    monkeypatch.setattr(bench_ops, "MATMUL_SIZES", (8,))
    monkeypatch.setattr(bench_ops, "QUICK_REPEATS", 1)
    monkeypatch.setattr(bench_fused, "SHAPES", {
        "linear": ((4, 6, 5),), "cross_entropy": ((4, 5),), "log_softmax": ((4, 5),),
        "layer_norm": ((4, 6),), "batch_norm": ((4, 6),)})
    monkeypatch.setattr(bench_fused, "QUICK_REPEATS", 1)
    monkeypatch.setattr(bench_optim, "SHAPE", (10, 10))
    monkeypatch.setattr(bench_optim, "QUICK_REPEATS", 1)
    monkeypatch.setattr(bench_memory, "QUICK_GROWTH_STEPS", 2)
    monkeypatch.setattr(bench_mnist, "QUICK_IMAGES", 100)


def _check_rows(rows):
    for r in rows:
        assert r["ratio"] is not None and math.isfinite(r["ratio"]), r
        assert math.isfinite(r["ratio_of_minima"]), r
        assert r["engine"] >= 0 and r["numpy"] >= 0, r
        assert r["unit"] and r["workload"] and r["size"], r


def _check_table(text, rows):
    lines = text.strip().splitlines()
    assert lines[0].startswith("| workload | size | tapegrad")
    assert len(lines) == 2 + len(rows)
    for line in lines:
        assert line.startswith("| ") and line.endswith(" |")
        assert line.count(" | ") == 9  # ten columns


def test_quick_suite_at_tiny_sizes_gives_finite_ratios_for_every_workload(tiny_sizes,
                                                                          tiny_mnist):
    ctx = run.Context(quick=True, threads=1, torch=None, mnist_dir=tiny_mnist[0],
                      verbose=False)
    rows, failures = run.run_suite(ctx)
    assert failures == []
    assert [n for n, _ in run.load_workloads()] == EXPECTED_WORKLOADS
    workloads = {r["workload"] for r in rows}
    for prefix in ("MLP step, SGD", "MLP step, ADAM", "MLP page faults, SGD", "chain of 10k",
                   "chain forward per node", "chain backward per node", "broadcast add",
                   "broadcast mul", "reduce sum", "reduce mean", "reduce max", "matmul",
                   "fused linear", "composed linear", "fused cross_entropy", "fused log_softmax",
                   "fused layer_norm", "fused batch_norm", "optimizer step, Adam",
                   "MLP step peak memory", "MLP RSS after/before", "MNIST epoch"):
        assert any(w.startswith(prefix) for w in workloads), prefix
    _check_rows(rows)
    assert all(r["torch"] is None and r["torch_ratio"] is None for r in rows)
    _check_table(_report.markdown(rows), rows)
    assert "n/a" in _report.markdown(rows)
    assert sum(r["workload"].startswith("chain forward per node") for r in rows) == 1


def test_cli_writes_json_and_filter_selects_workloads(tiny_sizes, tmp_path, capsys):
    out = tmp_path / "rows.json"
    md = tmp_path / "table.md"
    code = run.main(["--quick", "--filter", "chain 10k,matmul", "--no-torch", "--silent",
                     "--json", str(out), "--markdown", str(md)])
    assert code == 0
    payload = json.loads(out.read_text())
    names = [r["workload"] for r in payload["rows"]]
    assert names == ["chain of 10k muls, fwd+bwd", "matmul"]
    assert payload["quick"] is True and payload["failures"] == []
    probes = payload["speed_probe_us"]
    assert len(probes) == 2 and all(0 < p < 1e4 for p in probes)
    _check_rows(payload["rows"])
    printed = capsys.readouterr().out
    assert "| chain of 10k muls, fwd+bwd |" in printed and "threads: " in printed
    assert "- speed probe (" in printed
    assert md.read_text().strip() == printed.strip()


def test_list_names_every_workload(capsys):
    assert run.main(["--list"]) == 0
    assert capsys.readouterr().out.split("\n")[:-1] == EXPECTED_WORKLOADS


def test_markdown_formats_units_spread_and_missing_torch():
    r = _report.row("w", "s", "ms", [0.001, 0.002, 0.003, 0.004, 0.005], [0.002], None)
    assert r["engine"] == pytest.approx(3.0) and r["numpy"] == pytest.approx(2.0)
    assert r["ratio"] == pytest.approx(1.5) and r["torch_ratio"] is None
    line = _report.markdown([r]).splitlines()[2]
    assert line == "| w | s | 3.00 ms | 2.00–4.00 | 2.00 ms | 1.50x | 0.50x | n/a | n/a |  |"


def test_idx_reader_reads_what_was_written(tiny_mnist):
    directory, images, labels = tiny_mnist
    x, y = bench_mnist.load_test_set(directory)
    assert x.shape == (150, 784) and x.dtype == np.float32
    np.testing.assert_allclose(x, images.reshape(150, 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    assert bench_mnist.load_test_set(directory / "missing") is None


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.05), ("adam", 1e-2)])
def test_numpy_mlp_baseline_trains_exactly_like_the_engine(optimizer, lr):
    weights = _numpy_ref.init_mlp((12, 8, 6, 4))
    x, y = _numpy_ref.mlp_batch(5, n_in=12, n_classes=4)
    ref = _numpy_ref.MLP(weights, 5, optimizer, lr)
    eng = _engine.MLP(weights, optimizer, lr)
    xe, ye = _engine.batch(x, y)
    for _ in range(3):
        ref_loss = ref.step(x, y)
        eng_loss = eng.step(xe, ye).item()
        assert eng_loss == pytest.approx(ref_loss, rel=1e-5)
    for (w, b), (we, be) in zip(zip(ref.W, ref.b), eng.weights()):
        np.testing.assert_allclose(we, w, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(be, b, rtol=1e-4, atol=1e-6)
    # a short batch (an epoch's last) reuses the buffers' first rows
    assert math.isfinite(ref.step(x[:3], y[:3]))


@pytest.mark.parametrize("name", sorted(bench_fused.SHAPES))
def test_fused_numpy_baselines_match_the_engine_gradients(name):
    shape = {"linear": (4, 6, 5)}.get(name, (4, 6))
    arrays = bench_fused.arrays_for(name, shape)
    x = autograd.tensor(arrays["x"], requires_grad=True)
    w = autograd.tensor(arrays["w"], requires_grad=True) if "w" in arrays else None
    b = autograd.tensor(arrays["b"], requires_grad=True) if "b" in arrays else None
    if name == "linear":
        out = _engine.F_linear(x, w, b)
        ref = _numpy_ref.linear(arrays["x"], arrays["w"], arrays["b"], arrays["g"])
    elif name == "cross_entropy":
        out = _engine.cross_entropy(x, autograd.tensor(arrays["y"]))
        loss, gx = _numpy_ref.cross_entropy(arrays["x"], arrays["y"], np.arange(shape[0]))
        ref = (np.float32(loss), gx)
    elif name == "log_softmax":
        out = autograd.log_softmax(x, 1)
        ref = _numpy_ref.log_softmax(arrays["x"], arrays["g"])
    elif name == "layer_norm":
        out = _engine.layer_norm(x, w, b)
        ref = _numpy_ref.layer_norm(arrays["x"], arrays["w"], arrays["b"], arrays["g"])
    else:
        out = _engine.batch_norm(x, w, b)
        ref = _numpy_ref.batch_norm(arrays["x"], arrays["w"], arrays["b"], arrays["g"])
    out.backward(autograd.tensor(arrays["g"]) if "g" in arrays else None)
    got = [out.detach().numpy(), x.grad.numpy()]
    got += [t.grad.numpy() for t in (w, b) if t is not None]
    assert len(got) == len(ref)
    for g_, r_ in zip(got, ref):
        np.testing.assert_allclose(g_, r_, rtol=1e-4, atol=1e-5)


def test_numpy_adam_matches_the_engine_optimizer():
    params, grads = bench_optim.arrays()
    params, grads = [p[:3, :4].copy() for p in params[:2]], [g[:3, :4].copy() for g in grads[:2]]
    ref = _numpy_ref.AdamState([p.copy() for p in params], grads, lr=0.1)
    ps = [autograd.tensor(p.copy(), requires_grad=True) for p in params]
    opt = _engine.Adam(ps, lr=0.1)
    for _ in range(3):
        for p, g in zip(ps, grads):
            p.grad = autograd.tensor(g.copy())
        opt.step()
        ref.step()
    for p, r in zip(ps, ref.params):
        np.testing.assert_allclose(p.detach().numpy(), r, rtol=1e-5, atol=1e-6)


def test_chain_baseline_matches_the_engine_gradient():
    x = autograd.ones(4, requires_grad=True)
    y = x
    for i in range(7):
        y = y * bench_chain.CONSTS[i & 1]
    y.sum().backward()
    expected = _numpy_ref.chain_backward(np.ones(4, np.float32), 7, bench_chain.CONSTS)
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    np.testing.assert_array_equal(
        y.detach().numpy(), _numpy_ref.chain_forward(np.ones(4, np.float32), 7, bench_chain.CONSTS))


def test_scaling_series_reports_flatness_across_sizes(monkeypatch):
    monkeypatch.setattr(bench_scaling, "SIZES", (30, 60, 90))
    monkeypatch.setattr(bench_scaling, "REPEATS", {30: 2, 60: 2, 90: 1})
    ctx = run.Context(quick=False, threads=1, torch=None, verbose=False)
    rows = bench_scaling.run_scaling(ctx)
    _check_rows(rows)
    assert [r["workload"] for r in rows] == ["chain forward per node",
                                             "chain backward per node"] * 3
    assert [r["size"] for r in rows[::2]] == ["30 nodes", "60 nodes", "90 nodes"]
    assert "largest / smallest size" in rows[-2]["notes"]
    assert "largest / smallest size" in rows[-1]["notes"]
    assert "B/node" in rows[0]["notes"]


def test_torch_rows_when_torch_is_installed(tiny_sizes):
    torch = pytest.importorskip("torch")
    ctx = run.Context(quick=True, threads=1, torch=torch, verbose=False)
    rows = bench_chain.run_chain(ctx) + bench_ops.run_matmul(ctx)
    _check_rows(rows)
    for r in rows:
        assert r["torch"] is not None and math.isfinite(r["torch_ratio"])
