"""Each fused node against the same computation composed from primitives, forward plus
backward: linear vs matmul + add, cross-entropy vs log_softmax + gather + mean, log_softmax vs
x - logsumexp, layer_norm vs mean/var/normalize, batch_norm (training) vs the same composed.

Both rows of a pair share the hand-written NumPy baseline (the fused formulas); the fused
row's notes give composed / fused, the figure the issue asks for.
"""
import numpy as np

import autograd
from benchmarks import _engine, _numpy_ref, _torch_ref
from benchmarks._report import row
from benchmarks._timing import interleaved

# name -> (small shape, large shape); linear shapes are (batch, in, out)
SHAPES = {
    "linear": ((64, 128, 128), (256, 784, 256)),
    "cross_entropy": ((64, 10), (1024, 1000)),
    "log_softmax": ((64, 10), (1024, 1000)),
    "layer_norm": ((64, 128), (1024, 1024)),
    "batch_norm": ((64, 128), (1024, 512)),
}
COMPOSED = {
    "linear": "x @ W.T + b",
    "cross_entropy": "log_softmax + gather + mean",
    "log_softmax": "x - logsumexp(x)",
    "layer_norm": "mean, var, normalize, affine",
    "batch_norm": "mean, var, normalize, affine",
}
REPEATS = (300, 40)
QUICK_REPEATS = 5


def arrays_for(name, shape, seed=5):
    """The inputs both implementations use: x, and w, b, g (upstream grad), y (targets)."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    if name == "linear":
        n, d_in, d_out = shape
        return {"x": rng.standard_normal((n, d_in)).astype(f32),
                "w": (rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)).astype(f32),
                "b": rng.standard_normal(d_out).astype(f32),
                "g": rng.standard_normal((n, d_out)).astype(f32)}
    arrays = {"x": rng.standard_normal(shape).astype(f32)}
    if name == "cross_entropy":
        arrays["y"] = rng.integers(0, shape[1], shape[0]).astype(np.int64)
        return arrays
    arrays["g"] = rng.standard_normal(shape).astype(f32)
    if name in ("layer_norm", "batch_norm"):
        arrays["w"] = rng.uniform(0.5, 1.5, shape[1]).astype(f32)
        arrays["b"] = rng.standard_normal(shape[1]).astype(f32)
    return arrays


def engine_fn(name, composed, arrays):
    x = autograd.tensor(arrays["x"].copy(), requires_grad=True)
    w = autograd.tensor(arrays["w"].copy(), requires_grad=True) if "w" in arrays else None
    b = autograd.tensor(arrays["b"].copy(), requires_grad=True) if "b" in arrays else None
    g = autograd.tensor(arrays["g"]) if "g" in arrays else None
    y = autograd.tensor(arrays["y"]) if "y" in arrays else None
    leaves = [t for t in (x, w, b) if t is not None]

    def forward():
        if name == "linear":
            return x @ w.T + b if composed else _engine.F_linear(x, w, b)
        if name == "cross_entropy":
            return _engine.cross_entropy_composed(x, y) if composed else \
                _engine.cross_entropy(x, y)
        if name == "log_softmax":
            return x - autograd.logsumexp(x, 1, keepdim=True) if composed else \
                autograd.log_softmax(x, 1)
        if name == "layer_norm":
            return _engine.layer_norm_composed(x, w, b) if composed else \
                _engine.layer_norm(x, w, b)
        if name == "batch_norm":
            return _engine.batch_norm_composed(x, w, b) if composed else \
                _engine.batch_norm(x, w, b)
        raise ValueError(name)

    def run():
        for t in leaves:
            t.grad = None
        out = forward()
        if g is None:
            out.backward()
        else:
            out.backward(g)
    return run


def numpy_fn(name, arrays):
    a = arrays
    if name == "linear":
        return lambda: _numpy_ref.linear(a["x"], a["w"], a["b"], a["g"])
    if name == "cross_entropy":
        rows = np.arange(a["x"].shape[0])
        return lambda: _numpy_ref.cross_entropy(a["x"], a["y"], rows)
    if name == "log_softmax":
        return lambda: _numpy_ref.log_softmax(a["x"], a["g"])
    if name == "layer_norm":
        return lambda: _numpy_ref.layer_norm(a["x"], a["w"], a["b"], a["g"])
    return lambda: _numpy_ref.batch_norm(a["x"], a["w"], a["b"], a["g"])


def _size(name, shape):
    if name == "linear":
        return f"{shape[0]}x{shape[1]} -> {shape[2]}"
    return "x".join(map(str, shape))


def run_fused(ctx):
    rows = []
    for name, shapes in SHAPES.items():
        for k, shape in enumerate(ctx.pick(shapes, shapes[:1])):
            arrays = arrays_for(name, shape)
            fns = {"fused": engine_fn(name, False, arrays),
                   "composed": engine_fn(name, True, arrays),
                   "numpy": numpy_fn(name, arrays),
                   "torch": _torch_ref.fused(name, False, arrays) if ctx.torch else None,
                   "torch_composed": _torch_ref.fused(name, True, arrays) if ctx.torch else None}
            t = interleaved(fns, ctx.pick(REPEATS[k], QUICK_REPEATS), warmup=ctx.pick(5, 1),
                            rounds=ctx.pick(5, 1))
            fused = row(f"fused {name}", _size(name, shape), "time", t["fused"], t["numpy"],
                        t["torch"])
            comp = row(f"composed {name} ({COMPOSED[name]})", _size(name, shape), "time",
                       t["composed"], t["numpy"], t["torch_composed"])
            speedup = float(np.median(t["composed"])) / float(np.median(t["fused"]))
            fused["notes"] = f"composed / fused = {speedup:.2f}x"
            fused["fused_speedup"] = speedup
            rows += [fused, comp]
            ctx.profile_engine(f"fused {name} {shape}", fns["fused"], calls=ctx.pick(10, 1))
    return rows


WORKLOADS = [("fused vs composed", run_fused)]
