"""The backward pass: `backward()` and `grad()`.

Nodes run in decreasing creation order. A node's inputs are always created before it, so when
the pending node with the largest sequence number runs, every consumer that could still send it
a gradient has already run: its gradient is complete. A heap of pending nodes gives that order
without a separate topological sort, without recursion, and it only ever visits nodes that
receive a gradient. Gradients wait in a dict and are popped as they are consumed.

On the first-order path gradients are NumPy arrays. Under `create_graph=True` they are Tensors
and each node's backward formula is replayed on Tensors with recording on, so the result has a
graph of its own.
"""
import gc
import heapq

import numpy as np

from . import function, grad_mode
from .function import _OUTPUT, _Slots
from ._broadcast import unbroadcast

__all__ = ["backward", "grad"]

_make = None  # set by tensor.py
Tensor = None


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into the `.grad` of every leaf that requires grad.

    Args:
        tensors: a Tensor or a sequence of Tensors to differentiate.
        grad_tensors: the gradient of some scalar with respect to each of `tensors`; may be None
            for single-element tensors (taken as 1).
        retain_graph: keep saved values so the graph can be differentiated again; defaults to
            `create_graph`.
        create_graph: record the backward pass, so the gradients can be differentiated.
        inputs: if given, only these tensors' `.grad` are accumulated.
    """
    tensors = _as_tuple(tensors)
    grads = _seed_grads(tensors, _as_tuple(grad_tensors, len(tensors)), create_graph, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    only = None
    if inputs is not None:
        only = _as_tuple(inputs)
        if not only:
            raise ValueError("backward(inputs=...) was given an empty sequence")
    _run(tensors, grads, retain_graph, create_graph, capture=None, only=only)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, without touching any `.grad`.

    Inputs that the outputs do not depend on raise `RuntimeError` unless `allow_unused=True`,
    in which case their gradient is None (or zeros with `materialize_grads=True`).
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): inputs[{i}] is a {type(t).__name__}, not a Tensor")
        if not t._requires_grad:
            raise RuntimeError(f"grad(): inputs[{i}] does not require grad")
    grads = _seed_grads(outputs, _as_tuple(grad_outputs, len(outputs)), create_graph, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    keys = [t.grad_fn if t.grad_fn is not None else t for t in inputs]
    captured = _run(outputs, grads, retain_graph, create_graph, capture=set(keys), only=None)
    result = []
    for i, (t, k) in enumerate(zip(inputs, keys)):
        g = captured.get(k)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad(): inputs[{i}] (shape {tuple(t.shape)}) was not used to compute the "
                    f"outputs; pass allow_unused=True if this is intended")
            if materialize_grads:
                g = np.zeros_like(t._data)
        if g is None:
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            if not g.flags.writeable:  # a shared constant such as the unit seed: hand out a copy
                g = g.copy()
            result.append(_make(g, None))
    return tuple(result)


# ---------------------------------------------------------------------- the pass itself
def _run(roots, root_grads, retain_graph, create_graph, capture, only):
    pending = {}
    heap = []
    leaf_grads = {}
    captured = {} if capture is not None else None
    handed = set(map(id, root_grads))  # arrays the caller holds: never store without a copy
    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        key = t if fn is None else fn
        store = leaf_grads if fn is None else pending
        if key in store:
            store[key] = store[key] + g
        else:
            store[key] = g
            if fn is not None:
                heapq.heappush(heap, (-fn._seq, fn))

    # grad() for an intermediate tensor runs only the nodes between the outputs and the inputs,
    # as PyTorch does: nodes beyond them keep their saved values for a later backward.
    prune = None
    if capture is not None and any(k._is_node for k in capture):
        prune = _nodes_to_run(heap, capture)

    gc_was_enabled = gc.isenabled()
    gc.disable()  # NOTE: the pass creates no cycles; collections here only cost time
    mode = grad_mode._state
    was_recording = mode.enabled
    mode.enabled = bool(create_graph)  # (inference mode is left as it is)
    try:
        _drain(heap, pending, leaf_grads, captured, capture, retain_graph, create_graph, prune)
        if captured is not None:
            for leaf, g in leaf_grads.items():
                if leaf in capture:
                    captured[leaf] = _run_tensor_hooks(leaf._hooks, g, create_graph) \
                        if leaf._hooks else g
            return captured
        for leaf, g in leaf_grads.items():
            if only is None or any(leaf is o for o in only):
                _accumulate_into_leaf(leaf, g, create_graph, handed)
                if leaf._post_acc_hooks:
                    for hook in tuple(leaf._post_acc_hooks.values()):
                        hook(leaf)
    finally:
        mode.enabled = was_recording
        if gc_was_enabled:
            gc.enable()
    return None


def _drain(heap, pending, leaf_grads, captured, capture, retain_graph, create_graph,
           prune=None):
    """Run every pending node, largest sequence number first (with `prune` = (reach, run)
    from `_nodes_to_run`, only the nodes in `run`, sending gradients only into `reach`).

    The body is written out flat: it is the engine's innermost loop, run once per node. When a
    node hands a gradient to a node nothing else is waiting on, and the heap is empty, that node
    is necessarily the next one: it runs without a trip through the heap (chains, the common
    case, never touch it).
    """
    heappop, heappush = heapq.heappop, heapq.heappush
    check_finite = function._Anomaly.enabled
    node = None
    while True:
        if node is None:
            if not heap:
                break
            node = heappop(heap)[1]
        g = pending.pop(node)
        if g.__class__ is not np.ndarray and not create_graph and g.__class__ is not _Slots:
            g = np.asarray(g)  # NumPy returns scalars from 0-d arithmetic
        if node._special:
            if node._hooks is not None:
                g = _run_tensor_hooks(node._hooks, g, create_graph)
            if node._retain is not None:
                _retain(node, g, create_graph)
        if captured is not None and node in capture:
            captured[node] = g
        if prune is not None and node not in prune[1]:
            node = None  # a captured input with nothing to reach beyond it
            continue
        cls = node.__class__
        if create_graph or not cls._array_level:
            grads = _call_backward(node, g, create_graph)
        else:
            grads = cls.backward(node, g)
            if grads.__class__ is not tuple:
                grads = (grads,)
            if check_finite:
                _check_finite(node, grads)
        if not retain_graph and node._saved:
            node._saved = None
        edges = node._next
        if len(grads) != len(edges) and not _only_nones_differ(edges, grads):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of "
                               f"gradients (expected {len(edges)}, got {len(grads)})")
        if prune is not None:
            grads = tuple(gi if e is not None and (e in prune[0] if e._is_node else e in capture)
                          else None for e, gi in zip(edges, grads))
        following = None
        for e, gi in zip(edges, grads):
            if e is None or gi is None:
                continue
            if e._is_node:
                if gi.__class__ is not _Slots and (
                        gi.shape != e._shape or (gi.dtype is not e._dtype and gi.dtype != e._dtype)):
                    gi = _fit_grad(node, edges, grads, e, gi, e._shape, e._dtype)
                prev = pending.get(e)
                if prev is None:
                    pending[e] = gi
                    if following is None and not heap:
                        following = e
                    else:
                        heappush(heap, (-e._seq, e))
                else:
                    pending[e] = prev + gi
            else:
                d = e._data
                if gi.shape != d.shape or (gi.dtype is not d.dtype and gi.dtype != d.dtype):
                    gi = _fit_grad(node, edges, grads, e, gi, d.shape, d.dtype)
                prev = leaf_grads.get(e)
                leaf_grads[e] = gi if prev is None else prev + gi
        if following is not None and heap:
            heappush(heap, (-following._seq, following))  # others arrived after it: back in line
            following = None
        node = following


def _nodes_to_run(heap, targets):
    """(reach, run) for grad(): `reach` holds the nodes from which a target is reachable
    (targets included), `run` those of them with an edge into `reach` or to a target leaf.
    One iterative depth-first pass from the roots' nodes, children before parents."""
    reach, run, visited = set(), set(), set()
    stack = [(node, False) for _, node in heap]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            if any(e is not None and (e in reach if e._is_node else e in targets)
                   for e in node._next):
                run.add(node)
                reach.add(node)
            elif node in targets:
                reach.add(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        stack.extend((e, False) for e in node._next
                     if e is not None and e._is_node and e not in visited)
    return reach, run


def _only_nones_differ(edges, grads):
    """Backward may leave out trailing gradients for inputs that need none (non-tensor
    arguments), and may return extra trailing Nones."""
    n = min(len(edges), len(grads))
    return all(e is None for e in edges[n:]) and all(g is None for g in grads[n:])


def _fit_grad(node, edges, grads, edge, g, shape, dtype):
    """A gradient whose shape differs from its input's: summed down when the input was
    broadcast to it (as PyTorch's engine does, so backward formulas may return the broadcast
    gradient), an error otherwise. A dtype mismatch is always an error: it would mean a silent
    upcast somewhere."""
    if g.dtype == dtype:
        try:
            broadcast = np.broadcast_shapes(shape, g.shape) == tuple(g.shape)
        except ValueError:
            broadcast = False
        if broadcast:
            return unbroadcast(g, tuple(shape))
    index = next(k for k, (e, gk) in enumerate(zip(edges, grads)) if e is edge and gk is g)
    raise RuntimeError(
        f"Function {node.name()} returned an invalid gradient at index {index}: got shape "
        f"{tuple(g.shape)} and dtype {g.dtype} but expected shape compatible with "
        f"{tuple(shape)} and dtype {dtype}")


def _call_backward(node, g, create_graph):
    cls = type(node)
    if create_graph:
        return _call_backward_recorded(node, cls, g)
    if cls._array_level:
        out = cls.backward(node, g)
    else:
        shadow = _shadow(node, _constant_saved(node))
        gs = _user_grads(node, g, lambda a: _make(a, None))
        out = cls.backward(shadow, *gs)
        out = _unwrap_user_grads(node, out, lambda t: t._data)
    if type(out) is not tuple:
        out = (out,)
    if function._Anomaly.enabled:
        _check_finite(node, out)
    return out


def _call_backward_recorded(node, cls, g):
    shadow = _shadow(node, _connected_saved(node))
    if cls._array_level:
        out = cls.backward(shadow, g)
    else:
        out = cls.backward(shadow, *_user_grads(node, g, lambda t: t))
        out = _unwrap_user_grads(node, out, lambda t: t)
    if type(out) is not tuple:
        out = (out,)
    for gi in out:
        if gi is not None and not isinstance(gi, (Tensor, _Slots)):
            raise RuntimeError(f"{node.name()} does not support double backward (create_graph=True):"
                               f" its backward returned a {type(gi).__name__}, not a Tensor")
    if function._Anomaly.enabled:
        _check_finite(node, out)
    return out


def _user_grads(node, g, wrap):
    """The gradients a user op's backward receives: one per output, zeros where none flowed."""
    if g.__class__ is not _Slots:
        return (wrap(g),)
    result = []
    for k, gk in enumerate(g):
        if gk is None and node._materialize:
            result.append(_make(np.zeros(node._shape[k], node._dtype[k]), None))
        else:
            result.append(None if gk is None else wrap(gk))
    return tuple(result)


def _unwrap_user_grads(node, out, unwrap):
    if type(out) is not tuple:
        out = (out,)
    result = []
    for i, gi in enumerate(out):
        if gi is None:
            result.append(None)
            continue
        if not isinstance(gi, Tensor):
            raise TypeError(f"{node.name()}.backward returned a {type(gi).__name__} for input "
                            f"{i}; expected a Tensor or None")
        result.append(unwrap(gi))
    return tuple(result)


def _shadow(node, saved):
    """A copy of `node` whose saved values are `saved`: what backward reads as `ctx`."""
    cls = type(node)
    ctx = object.__new__(cls)
    for name in _copied_slots(cls):
        value = getattr(node, name, _MISSING)
        if value is not _MISSING:
            setattr(ctx, name, value)
    ctx.__dict__.update(node.__dict__)
    ctx._saved = saved
    ctx._tags = None
    return ctx


_MISSING = object()
_slot_cache = {}


def _copied_slots(cls):
    """The slot attributes a shadow copies: Function's own plus any an op class declares."""
    names = _slot_cache.get(cls)
    if names is None:
        names = [n for k in cls.__mro__ for n in k.__dict__.get("__slots__", ())
                 if n not in ("_saved", "_tags", "__dict__", "__weakref__")]
        _slot_cache[cls] = names = tuple(dict.fromkeys(names))
    return names


def _constant_saved(node):
    return tuple(_make(s, None) if isinstance(s, np.ndarray) else s for s in node.saved_tensors)


def _connected_saved(node):
    """Saved arrays as Tensors wired into the graph: an input becomes its producer's output, an
    output becomes this node's own output, so differentiating the backward pass reaches them."""
    saved = node.saved_tensors
    tags = node._tags or (None,) * len(saved)
    result = []
    for s, m in zip(saved, tags):
        if s is None or not isinstance(s, np.ndarray):
            result.append(s)
        elif m is None:
            if s.dtype.kind == "f" and not getattr(node, "_float_constants_ok", False):
                raise RuntimeError(f"{node.name()} does not support double backward: it saved an "
                                   f"intermediate value that is neither an input nor its output")
            result.append(_make(s, None))
        elif m == _OUTPUT:
            result.append(_make(s, node))
        elif m == "multi":
            raise RuntimeError(f"{node.name()}: double backward through a multi-output op that "
                               f"saves its outputs is not supported")
        else:
            e = node._next[m]
            if e is None:
                result.append(_make(s, None))
            elif e._is_node:
                result.append(_make(s, e))
            else:
                result.append(e)
    return tuple(result)


def _run_tensor_hooks(hooks, g, create_graph):
    for hook in list(hooks.values()):
        wrapped = g if create_graph else _make(g, None)
        r = hook(wrapped)
        if r is not None:
            if not isinstance(r, Tensor):
                raise TypeError(f"a tensor hook returned a {type(r).__name__}; expected a Tensor")
            if r.shape != g.shape:
                raise RuntimeError(f"a tensor hook returned a gradient of shape {tuple(r.shape)} "
                                   f"for a tensor of shape {tuple(g.shape)}")
            g = r if create_graph else r._data
    return g


def _retain(node, g, create_graph):
    t = node._retain()
    if t is None:
        return
    if create_graph:
        t._grad = g if t._grad is None else t._grad + g
    elif t._grad is None:
        t._grad = _make(np.array(g), None)
    else:
        t._grad = _make(t._grad._data + g, None)


def _accumulate_into_leaf(leaf, g, create_graph, handed):
    if leaf._hooks:
        g = _run_tensor_hooks(leaf._hooks, g, create_graph)
    old = leaf._grad
    if create_graph:
        leaf._grad = g if old is None else old + g
        return
    if old is None:
        if type(g) is not np.ndarray or g.base is not None or id(g) in handed \
                or not g.flags.writeable:
            g = np.array(g)  # the array may be shared or read-only: own a copy
        handed.add(id(g))
        leaf._grad = _make(g, None)
        return
    od = old._data
    if od.flags.writeable and od.shape == g.shape and old.grad_fn is None:
        np.add(od, g, out=od, casting="unsafe")
    else:
        leaf._grad = _make(od + g, None)


def _check_finite(node, grads):
    for i, gi in enumerate(grads):
        if gi is None or gi.__class__ is _Slots:
            continue
        arr = gi._data if isinstance(gi, Tensor) else gi
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            where = "".join(node._trace[-6:]) if node._trace else " (not recorded)\n"
            raise RuntimeError(
                f"Function '{node.name()}' returned nan or inf values in its {i}th output "
                f"gradient. The forward call that created it was:\n{where}")


def _seed_grads(tensors, grad_tensors, create_graph, caller):
    seeds = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{caller}(): expected Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               f"grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs; "
                                   f"got an output of shape {tuple(t.shape)}: pass `gradient`")
            g = _unit_seed(t._data.dtype) if not t._data.ndim else np.ones(t._data.shape,
                                                                           t._data.dtype)
        else:
            garr = g._data if isinstance(g, Tensor) else np.asarray(g, dtype=t._data.dtype)
            if garr.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{tuple(garr.shape)} and output[{i}] has a shape of "
                                   f"{tuple(t.shape)}")
            if garr.dtype != t._data.dtype:
                garr = garr.astype(t._data.dtype)
            if create_graph and isinstance(g, Tensor) and garr is g._data:
                seeds.append(g)
                continue
            g = garr
        seeds.append(_make(g, None) if create_graph else g)
    return seeds


_unit_seeds = {}


def _unit_seed(dtype):
    """The gradient 1 that seeds backward() of a 0-d loss: one shared read-only array per dtype
    (the engine never writes into a gradient it did not allocate)."""
    seed = _unit_seeds.get(dtype)
    if seed is None:
        seed = _unit_seeds[dtype] = np.ones((), dtype)
        seed.flags.writeable = False
    return seed


def _as_tuple(x, n=None):
    if x is None:
        return (None,) * n if n is not None else ()
    if isinstance(x, (list, tuple)):
        if n is not None and len(x) != n:
            raise RuntimeError(f"got {len(x)} gradients for {n} outputs")
        return tuple(x)
    return (x,)
