"""One epoch of the main example's training loop (examples/train_mlp.py: a shuffling
DataLoader over a TensorDataset, batch 64, zero_grad / forward / loss / backward / step, and
loss.item() per batch) on the 10,000 MNIST test images, with the benchmark MLP (784-256-128-10
ReLU, no dropout) and Adam. The NumPy and PyTorch loops shuffle, slice and step the same way.

The IDX files are read with the tiny reader below; the row is skipped when they are absent.
"""
import gzip
import struct
from pathlib import Path

import numpy as np

import autograd
from benchmarks import _engine, _numpy_ref, _torch_ref
from benchmarks._report import row
from benchmarks._timing import interleaved

BATCH = 64
LR = 1e-3
REPEATS = 5
QUICK_IMAGES = 256
FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def read_idx(path):
    """An IDX file (optionally .gz) as a NumPy array."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} values, found {arr.size}")
    return arr.reshape(dims)


def _find(directory, name):
    for candidate in (directory / (name + ".gz"), directory / name):
        if candidate.exists():
            return candidate
    return None


def load_test_set(directory):
    """(x float32 (N, 784) in [0, 1], y int64 (N,)) or None when the files are absent."""
    if directory is None:
        return None
    directory = Path(directory)
    paths = [_find(directory, n) for n in FILES]
    if None in paths:
        return None
    x = read_idx(paths[0]).reshape(-1, 784).astype(np.float32) / np.float32(255)
    y = read_idx(paths[1]).astype(np.int64)
    return x, y


def engine_epoch(weights, x, y, seed):
    data = getattr(autograd, "data", None)
    model = _engine.MLP(weights, "adam", LR)
    xt, yt = autograd.tensor(x), autograd.tensor(y)
    if data is not None and hasattr(data, "DataLoader"):
        gen = autograd.Generator().manual_seed(seed)
        loader = data.DataLoader(data.TensorDataset(xt, yt), batch_size=BATCH, shuffle=True,
                                 generator=gen)
    else:
        loader = None

    def epoch():
        batches = loader if loader is not None else _batches(xt, yt, seed)
        total = 0.0
        for xb, yb in batches:
            total += model.step(xb, yb).item() * len(yb)
        return total / len(y)
    return epoch, model.api + (", autograd.data.DataLoader" if loader is not None else "")


def _batches(x, y, seed):
    perm = np.random.default_rng(seed).permutation(len(y))
    for i in range(0, len(y), BATCH):
        idx = perm[i:i + BATCH]
        yield x[idx], y[idx]


def numpy_epoch(weights, x, y, seed):
    model = _numpy_ref.MLP(weights, BATCH, "adam", LR)
    rng = np.random.default_rng(seed)

    def epoch():
        perm = rng.permutation(len(y))
        total = 0.0
        for i in range(0, len(y), BATCH):
            idx = perm[i:i + BATCH]
            total += model.step(x[idx], y[idx]) * len(idx)
        return total / len(y)
    return epoch


def torch_epoch(weights, x, y, seed):
    torch = _torch_ref.get()
    model = _torch_ref.MLP(weights, "adam", LR)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    gen = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=True, generator=gen)

    def epoch():
        total = 0.0
        for xb, yb in loader:
            total += model.step(xb, yb).item() * len(yb)
        return total / len(y)
    return epoch


def run_mnist(ctx):
    data = load_test_set(ctx.mnist_dir)
    if data is None:
        ctx.log(f"   MNIST test files not found in {ctx.mnist_dir}: row skipped")
        return []
    x, y = data
    if ctx.quick:
        x, y = x[:QUICK_IMAGES], y[:QUICK_IMAGES]
    weights = _numpy_ref.init_mlp()
    eng, api = engine_epoch(weights, x, y, seed=0)
    fns = {"engine": eng, "numpy": numpy_epoch(weights, x, y, seed=0),
           "torch": torch_epoch(weights, x, y, seed=0) if ctx.torch else None}
    losses = {k: f() for k, f in fns.items() if f is not None}  # first epoch, also the warm-up
    t = interleaved(fns, ctx.pick(REPEATS, 1), warmup=0, rounds=ctx.pick(REPEATS, 1))
    note = (f"{api}; first-epoch mean loss " +
            ", ".join(f"{k} {v:.3f}" for k, v in losses.items()))
    ctx.profile_engine("MNIST epoch", eng, calls=1)
    return [row("MNIST epoch (t10k), Adam", f"{len(y):,} images, batch {BATCH}", "ms",
                t["engine"], t["numpy"], t["torch"], notes=note)]


WORKLOADS = [("mnist epoch", run_mnist)]
