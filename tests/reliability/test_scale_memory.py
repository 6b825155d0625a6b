"""Scale and memory: million-node graphs, freed saved values, steady memory over training, no
reference cycles, and grad mode / the default generator under threads.

The million-node tests take a few seconds each (about 9 s for the chain on a 2-core machine);
they assert correctness and freeing, never timing (the time per node is a benchmark figure,
reported in the README).
"""
import contextlib
import gc
import threading
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd as A
import nn
import nn.functional as F
import optim

MILLION = 1_000_000


@contextlib.contextmanager
def gc_disabled():
    """The collector off for the block: whatever is freed here is freed by reference counting."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def graph_nodes(*roots):
    """Every node reachable from the roots' grad_fn (iteratively)."""
    seen, stack = {}, [t.grad_fn for t in roots if t.grad_fn is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen[id(n)] = n
        stack.extend(e for e in n._next if e is not None and e._is_node)
    return list(seen.values())


# ---------------------------------------------------------------------- million-node graphs
def test_a_million_node_chain_builds_backpropagates_and_frees():
    x = A.tensor(np.array([1.0, -2.0]), requires_grad=True)
    with gc_disabled():
        y = x
        for _ in range(MILLION):
            y = y + 0.5
        first = weakref.ref(y.grad_fn)
        np.testing.assert_array_equal(y.detach().numpy(), [500_001.0, 499_998.0])
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
        mid = y.grad_fn
        for _ in range(MILLION // 2):
            mid = mid._next[0]
        middle = weakref.ref(mid)
        del mid, y
        assert first() is None and middle() is None, "the chain outlived its last reference"


def test_a_million_nodes_of_diamonds():
    x = A.tensor(np.array([3.0]), requires_grad=True)
    with gc_disabled():
        y = x
        for _ in range(MILLION // 3):          # three nodes per diamond
            y = y * 0.5 + y * 0.5
        np.testing.assert_array_equal(y.detach().numpy(), [3.0])
        ref = weakref.ref(y.grad_fn)
        y.backward(A.tensor(np.array([2.0])))
        np.testing.assert_array_equal(x.grad.numpy(), [2.0])
        del y
        assert ref() is None


def test_a_million_nodes_fanned_out_a_thousand_wide():
    x = A.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with gc_disabled():
        y = x * 2.0
        branches = []
        for k in range(1000):
            b = y
            for _ in range(999):
                b = b * 1.0
            branches.append(b * float(k % 3))
        total = A.stack(branches).sum()
        del branches, b
        total.backward()
        # d total / dx = 2 * sum_k (k % 3) per element
        expected = 2.0 * sum(k % 3 for k in range(1000))
        np.testing.assert_array_equal(x.grad.numpy(), [expected, expected])
        ref = weakref.ref(y.grad_fn)
        del total, y
        assert ref() is None


def test_one_tensor_with_a_hundred_thousand_consumers():
    x = A.tensor(np.array([1.0]), requires_grad=True)
    parts = [x * float(i % 7) for i in range(100_000)]
    A.cat(parts).sum().backward()
    assert x.grad.numpy()[0] == sum(i % 7 for i in range(100_000))


def test_double_backward_through_a_long_chain():
    x = A.tensor(np.array([0.3]), requires_grad=True)
    y = x
    for _ in range(20_000):
        y = A.sin(y) * 0.5 + y * 0.5
    g, = A.grad(y.sum(), x, create_graph=True)
    h, = A.grad(g.sum(), x)
    # the same recurrence in NumPy, with its first and second derivatives
    v, d1, d2 = 0.3, 1.0, 0.0
    for _ in range(20_000):
        v, d1, d2 = (np.sin(v) * 0.5 + v * 0.5, (np.cos(v) * 0.5 + 0.5) * d1,
                     (np.cos(v) * 0.5 + 0.5) * d2 - np.sin(v) * 0.5 * d1 * d1)
    np.testing.assert_allclose(g.detach().numpy(), [d1], rtol=1e-9)
    np.testing.assert_allclose(h.numpy(), [d2], rtol=1e-9, atol=1e-300)


# ---------------------------------------------------------------------- saved values are freed
def _graph_arrays(node):
    """The arrays a node saved that belong to its graph. Python-number operands are saved as
    shared read-only 0-d constants, which live on in a cache: not graph memory."""
    return [s for s in node._saved or ()
            if isinstance(s, np.ndarray) and (s.ndim or s.flags.writeable)]


def _saved_array_refs(loss, leaves):
    leaf_ids = {id(t._data) for t in leaves}
    return [weakref.ref(s) for node in graph_nodes(loss) for s in _graph_arrays(node)
            if id(s) not in leaf_ids]


def _build(x, w):
    h = A.tanh(x @ w)
    return (A.exp(h * 0.5) * A.sigmoid(h)).sum() + A.log(A.sqrt(h * h + 1.0)).mean()


def test_backward_without_retain_graph_frees_every_saved_array():
    x = A.randn(64, 32, dtype=A.float64, requires_grad=True)
    w = A.randn(32, 64, dtype=A.float64, requires_grad=True)
    with gc_disabled():
        loss = _build(x, w)
        refs = _saved_array_refs(loss, [x, w])
        assert len(refs) >= 5 and all(r() is not None for r in refs)
        loss.backward()
        alive = [r for r in refs if r() is not None]
        assert not alive, f"{len(alive)} saved arrays outlived backward()"
        assert all(n._saved in (None, ()) for n in graph_nodes(loss))


def test_deleting_the_loss_frees_the_graph_and_its_memory():
    x = A.randn(256, 256, dtype=A.float64, requires_grad=True)
    w = A.randn(256, 256, dtype=A.float64, requires_grad=True)
    with gc_disabled():
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            loss = _build(x, w)
            refs = _saved_array_refs(loss, [x, w])
            built = tracemalloc.get_traced_memory()[0]
            del loss
            freed = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    assert not [r for r in refs if r() is not None]
    # the graph held several 256 x 256 float64 arrays (512 KiB each); all of it is gone
    assert built - base > 4 * 512 * 1024
    assert freed - base < 64 * 1024, f"{(freed - base) / 1024:.0f} KiB still allocated"


def test_retain_graph_keeps_saved_values_until_the_graph_is_deleted():
    x = A.randn(8, dtype=A.float64, requires_grad=True)
    with gc_disabled():
        loss = (A.exp(x) * A.sin(x)).sum()
        refs = _saved_array_refs(loss, [x])
        loss.backward(retain_graph=True)
        assert all(r() is not None for r in refs)
        loss.backward()
        np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(x.detach().numpy()) * (
            np.sin(x.detach().numpy()) + np.cos(x.detach().numpy())), rtol=1e-12)
        assert not [r for r in refs if r() is not None]


# ---------------------------------------------------------------------- no reference cycles
def _everything(loss):
    """Weak references to the loss, every node, and every saved array."""
    objs = [loss] + graph_nodes(loss)
    for n in graph_nodes(loss):
        objs += _graph_arrays(n)
    return [weakref.ref(o) for o in objs]


@pytest.mark.parametrize("case", ["ops", "module_step", "create_graph", "hooks_and_retain_grad",
                                  "in_place", "losses_and_norms"])
def test_graphs_are_freed_by_reference_counting_alone(case):
    with gc_disabled():
        refs = _make_case(case)
        dead = [r for r in refs if r() is None]
        assert len(dead) == len(refs), (f"{case}: {len(refs) - len(dead)} of {len(refs)} objects "
                                        f"needed the cycle collector")


def _make_case(case):
    A.manual_seed(0)
    x = A.randn(4, 3, dtype=A.float64, requires_grad=True)
    if case == "ops":
        loss = (A.softmax(x, 1) * A.log_softmax(x, 1)).sum() + x[[0, 0, 2]].amax() + \
            A.cat([x, x * 2]).var()
        refs = _everything(loss)
        loss.backward()
        return refs
    if case == "module_step":
        model = nn.Sequential(nn.Linear(3, 5), nn.LayerNorm(5), nn.GELU(), nn.Linear(5, 2))
        opt = optim.Adam(model.parameters(), lr=1e-2)
        loss = F.cross_entropy(model(x.float()), A.tensor([0, 1, 1, 0]))
        refs = _everything(loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return refs + [weakref.ref(model), weakref.ref(opt)]
    if case == "create_graph":
        y = (A.exp(x) * x).sum()
        g, = A.grad(y, x, create_graph=True)
        hvp = (g * g).sum()
        refs = _everything(hvp) + _everything(y)
        hvp.backward()
        return refs
    if case == "hooks_and_retain_grad":
        h = x * 2.0
        h.retain_grad()
        h.register_hook(lambda g: g * 1.0)
        loss = (h * h).sum()
        refs = _everything(loss) + [weakref.ref(h)]
        loss.backward()
        return refs
    if case == "in_place":
        h = x * 1.0
        h.mul_(2.0)
        h[0] = 5.0
        loss = (h * h).sum()
        refs = _everything(loss) + [weakref.ref(h)]
        loss.backward()
        return refs
    loss = F.binary_cross_entropy_with_logits(x, A.ones_like(x)) + F.mse_loss(x, x * 0.5) + \
        F.batch_norm(x, None, None, training=True).sum() + F.layer_norm(x, (3,)).pow(2).mean()
    refs = _everything(loss)
    loss.backward()
    return refs


# ---------------------------------------------------------------------- steady memory
def test_a_thousand_training_steps_do_not_grow_memory():
    A.manual_seed(0)
    rng = np.random.default_rng(0)
    data = A.tensor(rng.standard_normal((32, 8)).astype(np.float32))
    target = A.tensor(rng.integers(0, 3, 32))
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 16),
                          nn.BatchNorm1d(16), nn.Tanh(), nn.Linear(16, 3))
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    sizes = []

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        opt.step()
        return float(loss)

    for _ in range(20):           # warm-up: optimizer state, NumPy caches
        step()
    # NOTE: gc.collect() before each reading empties CPython's free lists (tuples, floats,
    # dicts kept for reuse), which otherwise fill up over hundreds of steps and look like
    # growth; with the collector off during the steps it must find no garbage (no cycles).
    with gc_disabled():
        tracemalloc.start()
        try:
            for k in range(1000):
                step()
                if k % 100 == 99:
                    assert gc.collect() == 0, "a training step left reference cycles"
                    sizes.append(tracemalloc.get_traced_memory()[0])
        finally:
            tracemalloc.stop()
    growth = sizes[-1] - sizes[0]
    assert growth < 16 * 1024, f"memory grew by {growth} bytes over 900 steps: {sizes}"


# ---------------------------------------------------------------------- threads
def test_no_grad_in_one_thread_does_not_affect_another():
    entered, done = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with A.no_grad():
            entered.set()
            done.wait(5)
            seen["quiet"] = (A.ones(2, requires_grad=True) * 2).requires_grad

    def busy():
        entered.wait(5)
        seen["busy_enabled"] = A.is_grad_enabled()
        seen["busy"] = (A.ones(2, requires_grad=True) * 2).requires_grad
        done.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"quiet": False, "busy_enabled": True, "busy": True}
    assert A.is_grad_enabled()


def test_set_grad_enabled_and_decorators_are_per_thread():
    results = {}
    barrier = threading.Barrier(4)

    @A.no_grad()
    def decorated(k):
        barrier.wait(5)
        results[k] = A.is_grad_enabled()

    def switched(k):
        A.set_grad_enabled(k % 2 == 0)
        barrier.wait(5)
        results[k] = A.is_grad_enabled()
        A.set_grad_enabled(True)

    threads = [threading.Thread(target=decorated, args=(0,)),
               threading.Thread(target=switched, args=(1,)),
               threading.Thread(target=switched, args=(2,)),
               threading.Thread(target=decorated, args=(3,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {0: False, 1: False, 2: True, 3: False}
    assert A.is_grad_enabled()


def test_concurrent_backward_passes_on_independent_graphs():
    def work(k, out):
        rng = np.random.default_rng(k)
        a = rng.standard_normal((16, 16))
        for _ in range(20):
            x = A.tensor(a, requires_grad=True)
            (A.tanh(x @ x) * x).sum().backward()
        out[k] = x.grad.numpy()

    out = {}
    threads = [threading.Thread(target=work, args=(k, out)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for k in range(4):
        a = np.random.default_rng(k).standard_normal((16, 16))
        t = np.tanh(a @ a)
        g = t + (((1 - t * t) * a) @ a.T + a.T @ ((1 - t * t) * a))
        np.testing.assert_allclose(out[k], g, rtol=1e-10)
    assert gc.isenabled()


def test_the_default_generator_hands_out_whole_blocks_to_concurrent_threads():
    # each call draws a contiguous block of the stream: with four threads drawing at once,
    # the blocks are exactly those of a sequential run, in some order
    A.manual_seed(123)
    sequential = [A.randn(50).numpy().tobytes() for _ in range(200)]
    A.manual_seed(123)
    blocks = []
    lock = threading.Lock()

    def draw():
        mine = [A.randn(50).numpy().tobytes() for _ in range(50)]
        with lock:
            blocks.extend(mine)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(blocks) == sorted(sequential)


def test_per_thread_generators_are_reproducible():
    def draw(seed, out):
        g = A.Generator().manual_seed(seed)
        out[seed] = [A.randn(8, generator=g).numpy().copy() for _ in range(100)]

    out1, out2 = {}, {}
    for out in (out1, out2):
        threads = [threading.Thread(target=draw, args=(s, out)) for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    for s in range(4):
        np.testing.assert_array_equal(np.array(out1[s]), np.array(out2[s]))
    assert not np.array_equal(out1[0][0], out1[1][0])
