"""`Function`: the base of every op, and the node it leaves on the graph.

An op is a `Function` subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`.
Calling `Op.apply(*args)` runs `forward` and, when an input requires grad and grad mode is on,
keeps the `ctx` as the output's `grad_fn`: the node the engine later calls `backward` on.

Two kinds of op share this machinery:
* built-in ops (`_array_level = True`) see NumPy arrays in `forward` and `backward`. Their
  backward formulas use only operations that arrays and Tensors both understand, so under
  `create_graph=True` the engine replays the same formula on Tensors and the backward pass is
  recorded: one formula gives first- and higher-order gradients.
* user ops (PyTorch's `torch.autograd.Function` style) see Tensors in both.

A node refers to its inputs through `_next`: the producing node for a non-leaf input, the leaf
Tensor itself for a leaf that requires grad, None otherwise. Saved values are arrays; each
remembers whether it was an input, the output, or a constant, so it can be turned back into a
Tensor connected to the graph when the backward pass is differentiated. Nodes never refer to
their own output Tensor, so graphs hold no reference cycles.
"""
import itertools
import traceback

import numpy as np

from . import grad_mode, versions
from ._broadcast import raise_if_unbroadcastable

_state = grad_mode._state
_seq = itertools.count()
_new = object.__new__

# Filled in by tensor.py (it imports this module first).
Tensor = None
_make = None

_OUTPUT = -1  # tag of a saved value that is the op's output


class _Anomaly:
    enabled = False


class Function:
    """Base class of ops. Subclass with static `forward` and `backward`, call with `apply`.

    Example:
        >>> class Cube(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         x, = ctx.saved_tensors
        ...         return 3 * x ** 2 * g
        >>> y = Cube.apply(x)
    """

    __slots__ = ("_next", "_saved", "_tags", "needs_input_grad", "_seq", "_shape",
                 "_dtype", "__dict__", "__weakref__")
    _array_level = False
    _is_node = True
    # Rare per-node extras live in the instance __dict__; these are their defaults.
    _special = False       # True once hooks or retain_grad are attached (checked per node)
    _hooks = None          # tensor hooks registered on this node's output
    _retain = None         # weakref to an output tensor that called retain_grad()
    _trace = None          # creation traceback, recorded under detect_anomaly()
    _non_diff = ()         # outputs marked non-differentiable
    _materialize = True

    # ------------------------------------------------------------------ the ctx vocabulary
    def save_for_backward(self, *values):
        """Keep inputs or outputs for `backward`. Built-in ops pass arrays, user ops Tensors."""
        self._saved = values

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (or to read the saved "
                f"values of {self.name()} after they were freed). Saved values are freed by "
                f"backward() and autograd.grad(); pass retain_graph=True to keep them.")
        if versions._latest[0] > self._seq:
            _check_versions(self)
        return saved

    def mark_non_differentiable(self, *outputs):
        self._non_diff = outputs

    def set_materialize_grads(self, value):
        self._materialize = bool(value)

    def mark_dirty(self, *tensors):
        pass  # in-place custom ops are recorded by the Tensor methods that call them

    @classmethod
    def name(cls):
        return cls.__name__ + "Backward" if not cls.__name__.endswith("Backward") else cls.__name__

    @property
    def next_functions(self):
        """PyTorch's view of the edges: `(node_or_AccumulateGrad_or_None, 0)` per input."""
        return tuple((AccumulateGrad(e) if e is not None and not e._is_node else e, 0)
                     for e in self._next)

    @property
    def metadata(self):
        return self.__dict__.setdefault("_metadata", {})

    def register_hook(self, fn):
        raise NotImplementedError("register hooks on tensors with Tensor.register_hook")

    def __repr__(self):
        return f"<{self.name()}>"

    # ------------------------------------------------------------------ calling an op
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on `args` (Tensors and plain values), recording it when needed."""
        if cls._array_level:
            return _apply_array_op(cls, args, kwargs)
        record = _state.enabled
        edges = [_edge(a, record) for a in args]
        ctx = _new(cls)
        ctx._saved = ()
        ctx._tags = None
        ctx.needs_input_grad = tuple([e is not None for e in edges])
        with grad_mode._Scope(False):
            out = cls.forward(ctx, *args, **kwargs)
        return _finish_user_op(ctx, cls, args, out, edges, any(ctx.needs_input_grad))


class Op(Function):
    """Base of built-in ops: forward and backward see NumPy arrays (Tensors under create_graph).

    Backward formulas must use only operators and `ops._util.dual` helpers so they also run on
    Tensors. Saved values must be the very input or output arrays (or non-float constants such
    as masks and indices); an op that saves float intermediates sets `_float_constants_ok` and
    handles Tensor gradients itself.
    """

    _array_level = True
    # Binary ops that set this receive a Python-number second operand as a 0-d array of the
    # first operand's dtype (see `_scalar_array`); they must then accept that 0-d array as a
    # float constant under create_graph, so the flag implies `_float_constants_ok`.
    _scalar_operand = False

    @classmethod
    def apply(cls, *args, **kwargs):
        """Fast path for the common calls (up to three positional arguments, the first a
        Tensor, a single array output), written out flat: it runs once per recorded op.
        Everything else takes `_apply_array_op`."""
        n = len(args)
        if kwargs or n > 3 or n == 0:
            return _apply_array_op(cls, args, kwargs)
        x = args[0]
        if x.__class__ is not Tensor and not isinstance(x, Tensor):
            return _apply_array_op(cls, args, kwargs)
        xd = x._data
        record = _state.enabled
        x_req = record and x._requires_grad
        ctx = _new(cls)
        ctx._saved = ()
        y_in = z_in = y_req = z_req = False
        if n == 1:
            ctx.needs_input_grad = _NEEDS_1
            out = cls.forward(ctx, xd)
        else:
            y = args[1]
            if y.__class__ is Tensor or isinstance(y, Tensor):  # or a subclass (Parameter)
                y_in = True
                yd = y._data
                y_req = record and y._requires_grad
            else:
                yd = y
                if cls._scalar_operand and (y.__class__ is float or y.__class__ is int):
                    yd = _scalar_array(y, xd.dtype)
            if n == 2:
                ctx.needs_input_grad = _NEEDS_2[x_req][y_req]
                try:
                    out = cls.forward(ctx, xd, yd)
                except ValueError as err:
                    raise_if_unbroadcastable(err, (xd, yd))
                    raise
            else:
                z = args[2]
                if z.__class__ is Tensor or isinstance(z, Tensor):
                    z_in = True
                    zd = z._data
                    z_req = record and z._requires_grad
                else:
                    zd = z
                ctx.needs_input_grad = (x_req, y_req, z_req)
                try:
                    out = cls.forward(ctx, xd, yd, zd)
                except ValueError as err:
                    raise_if_unbroadcastable(err, (xd, yd, zd))
                    raise
        if out.__class__ is not np.ndarray:
            if type(out) is tuple:
                ctx._tags = None
                if not (x_req or y_req or z_req):
                    return tuple(_make(_as_array(o), None) for o in out)
                inputs, positions = [xd], [0]
                if y_in:
                    inputs.append(yd)
                    positions.append(1)
                if z_in:
                    inputs.append(zd)
                    positions.append(2)
                edges = [_edge(a, record) for a in args]
                return _finish_array_op(ctx, cls, inputs, positions, edges, out)
            out = _saved_as_array(ctx, out)
        dtype = out.dtype
        if not (x_req or y_req or z_req) or dtype.kind != "f":
            return _make(out, None)
        ex = ey = ez = None
        if x_req:
            fn = x.grad_fn
            ex = x if fn is None else fn
        if n == 1:
            ctx._next = (ex,)
        else:
            if y_req:
                fn = y.grad_fn
                ey = y if fn is None else fn
            if n == 2:
                ctx._next = (ex, ey)
            else:
                if z_req:
                    fn = z.grad_fn
                    ez = z if fn is None else fn
                ctx._next = (ex, ey, ez)
        ctx._seq = next(_seq)
        shape = out.shape
        interned = _shapes.get(shape)
        ctx._shape = interned if interned is not None else _shared_shape(shape)
        ctx._dtype = dtype
        t = _new(Tensor)
        t._data = out
        t._grad = None
        t.grad_fn = ctx
        t._requires_grad = True
        saved = ctx._saved
        if saved:
            # Tags are tuples (never lists), so the collector untracks them. One and two saved
            # values are written out: a comprehension here costs as much as the op.
            if len(saved) == 1:
                v = saved[0]
                ctx._tags = _TAG_IN0 if v is xd else _TAG_OUT if v is out else \
                    _TAG_IN1 if (y_in and v is yd) else _TAG_IN2 if (z_in and v is zd) \
                    else _TAG_CONST
            elif len(saved) == 2:
                v, w = saved
                ctx._tags = _TAG_PAIRS[
                    0 if v is xd else _OUTPUT if v is out else
                    1 if (y_in and v is yd) else 2 if (z_in and v is zd) else None][
                    0 if w is xd else _OUTPUT if w is out else
                    1 if (y_in and w is yd) else 2 if (z_in and w is zd) else None]
            else:
                ctx._tags = tuple([0 if v is xd else _OUTPUT if v is out else
                                   1 if (y_in and v is yd) else 2 if (z_in and v is zd)
                                   else None for v in saved])
        else:
            ctx._tags = None
        if _Anomaly.enabled:
            ctx._trace = _creation_trace()
        return t


_NEEDS_1 = (True,)
_NEEDS_2 = {x: {y: (x, y) for y in (False, True)} for x in (False, True)}
_TAG_IN0, _TAG_IN1, _TAG_IN2, _TAG_OUT, _TAG_CONST = (0,), (1,), (2,), (_OUTPUT,), (None,)
# NOTE: nodes share their tag pairs and shape tuples instead of holding copies: a graph of a
# million nodes is then two tracked tuples (~100 B) per node lighter, which the collector and
# the caches both feel.
_TAG_PAIRS = {a: {b: (a, b) for b in (0, 1, 2, _OUTPUT, None)} for a in (0, 1, 2, _OUTPUT, None)}
_shapes = {}
_SHAPE_CACHE_SIZE = 4096


def _shared_shape(shape):
    """The interned copy of an output shape (the cache is dropped when it grows too large)."""
    if len(_shapes) >= _SHAPE_CACHE_SIZE:
        _shapes.clear()
    return _shapes.setdefault(shape, shape)


_scalar_arrays = {}
_SCALAR_CACHE_SIZE = 1024


def _scalar_array(value, dtype):
    """A Python number as a read-only 0-d array of a float `dtype`, cached per (dtype, value).

    NumPy combines a small array with a 0-d array of its own dtype about twice as fast as with a
    Python float, and the result is identical: a Python float takes the array's dtype anyway
    (NEP 50). Zero is never cached (0.0 == -0.0 would share one sign); other dtypes pass through.
    """
    if dtype.kind != "f" or not value:
        return value
    cache = _scalar_arrays.get(dtype)
    if cache is None:
        cache = _scalar_arrays[dtype] = {}
    arr = cache.get(value)
    if arr is None:
        try:
            arr = np.array(value, dtype)
        except OverflowError:
            return value  # an int beyond any float: NumPy's own error or inf applies
        arr.flags.writeable = False
        if len(cache) >= _SCALAR_CACHE_SIZE:
            cache.clear()
        cache[value] = arr
    return arr


class AccumulateGrad:
    """What `next_functions` shows for a leaf: the leaf is reached through `.variable`."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


class _Select(Function):
    """The node of output `index` of a multi-output user op; forwards its gradient to the op."""

    _array_level = True

    @staticmethod
    def backward(ctx, g):
        slots = [None] * ctx.count
        slots[ctx.index] = g
        return _Slots(slots)

    @classmethod
    def name(cls):
        return "SelectOutputBackward"


class _Slots(list):
    """Gradients for the outputs of a multi-output op, gathered from its select nodes."""

    def __add__(self, other):
        return _Slots(a if b is None else b if a is None else a + b for a, b in zip(self, other))


# ---------------------------------------------------------------------- the general array path
def _edge(a, record):
    """The graph edge for argument `a`: its node, itself (a leaf), or None."""
    if record and isinstance(a, Tensor) and a._requires_grad:
        fn = a.grad_fn
        return a if fn is None else fn
    return None


def _apply_array_op(cls, args, kwargs):
    """`Op.apply` for any arguments: Tensors anywhere among `args`, keyword arguments, several
    outputs."""
    record = _state.enabled
    datas = []
    edges = []
    tensor_at = []  # positions of Tensor arguments (saved values may be tagged with them)
    requires = False
    for i, a in enumerate(args):
        if a.__class__ is Tensor or isinstance(a, Tensor):
            datas.append(a._data)
            tensor_at.append(i)
            if record and a._requires_grad:
                requires = True
                fn = a.grad_fn
                edges.append(a if fn is None else fn)
                continue
        else:
            datas.append(a)
        edges.append(None)
    ctx = _new(cls)
    ctx._saved = ()
    ctx._tags = None
    ctx.needs_input_grad = tuple([e is not None for e in edges])
    try:
        out = cls.forward(ctx, *datas, **kwargs)
    except ValueError as err:
        raise_if_unbroadcastable(err, datas)
        raise
    if not requires:
        if type(out) is tuple:
            return tuple(_make(_as_array(o), None) for o in out)
        return _make(_as_array(out), None)
    return _finish_array_op(ctx, cls, [datas[i] for i in tensor_at], tensor_at, edges, out)


def _finish_array_op(ctx, cls, inputs, positions, edges, out):
    """Record `ctx` as the node of the (single) differentiable output of a built-in op whose
    forward returned `out`; `inputs` are the arrays of its Tensor arguments, at `positions`."""
    ctx._next = tuple(edges)
    if type(out) is tuple:
        outs = tuple(_as_array(o) for o in out)
        diff = [o for o in outs if o.dtype.kind == "f" and not _is_in(o, ctx._non_diff)]
        if len(diff) != 1:
            raise RuntimeError(f"built-in op {cls.__name__} must have one differentiable output")
        ctx._seq = next(_seq)
        result = tuple(_make(o, ctx if o is diff[0] else None) for o in outs)
        out = diff[0]
    else:
        out = _saved_as_array(ctx, out)
        if out.dtype.kind != "f":
            return _make(out, None)
        ctx._seq = next(_seq)
        result = _make(out, ctx)
    shape = out.shape
    interned = _shapes.get(shape)
    ctx._shape = interned if interned is not None else _shared_shape(shape)
    ctx._dtype = out.dtype
    if ctx._saved:
        ctx._tags = _saved_tags(ctx._saved, inputs, positions, out)
    if _Anomaly.enabled:
        ctx._trace = _creation_trace()
    return result


# ---------------------------------------------------------------------- helpers
def _creation_trace():
    """The stack where an op was called, without this module's own frames (detect_anomaly)."""
    frames = traceback.extract_stack()
    while frames and frames[-1].filename == __file__:
        frames.pop()
    return traceback.format_list(frames)


def _as_array(x):
    if type(x) is np.ndarray:
        return x
    return np.asarray(x)


def _saved_as_array(ctx, out):
    """`out` as an ndarray. NumPy returns scalars for 0-d results; when forward saved that
    scalar, the saved value is swapped for the array so it is still recognised as the output."""
    if type(out) is np.ndarray:
        return out
    arr = np.asarray(out)
    saved = ctx._saved
    if saved and any(v is out for v in saved):
        ctx._saved = tuple(arr if v is out else v for v in saved)
    return arr


def _is_in(x, items):
    return any(x is i for i in items)


def _saved_tags(saved, inputs, positions, out):
    """For each saved value: the position of the Tensor argument it is, `_OUTPUT`, or None for
    a constant. The tags let the engine rebuild saved values as Tensors connected to the graph
    (double backward)."""
    tags = []
    for s in saved:
        if s is out:
            tags.append(_OUTPUT)
            continue
        for d, i in zip(inputs, positions):
            if s is d:
                tags.append(i)
                break
        else:
            tags.append(None)
    if len(tags) == 2:
        pair = _TAG_PAIRS.get(tags[0], {}).get(tags[1])  # (tags of inputs 0-2 are shared)
        if pair is not None:
            return pair
    return tuple(tags)


def _check_versions(node):
    """Raise if a saved input or output was written in place after `node` was created."""
    for s, tag in zip(node._saved, node._tags or ()):
        if tag is None or not isinstance(s, np.ndarray):
            continue
        op = versions.modified_after(s, node._seq)
        if op is not None:
            what = "its output" if tag == _OUTPUT or tag == "multi" else f"its input {tag}"
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {node.name()} saved {what}, which was then modified by "
                f"{op} (now at version {versions.version_of(s)}). Use an out-of-place op, or "
                f"clone() before the in-place one.")


def _finish_user_op(ctx, cls, args, out, edges, requires):
    """Wrap the Tensors a user op's forward returned and record the node."""
    single = not isinstance(out, tuple)
    outs = (out,) if single else tuple(out)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return Tensors, got {type(o).__name__}")
    if not requires:
        result = tuple(_make(o._data, None) for o in outs)
        return result[0] if single else result
    ctx._next = tuple(edges)
    ctx._seq = next(_seq)
    if _Anomaly.enabled:
        ctx._trace = _creation_trace()
    arrays = [o._data for o in outs]
    non_diff = [o._data if isinstance(o, Tensor) else o for o in ctx._non_diff]
    results = []
    if len(outs) == 1:
        t = _make(arrays[0], None if _is_in(arrays[0], non_diff) else ctx)
        results.append(t)
        ctx._shape, ctx._dtype = arrays[0].shape, arrays[0].dtype
    else:
        ctx._shape = tuple(a.shape for a in arrays)
        ctx._dtype = tuple(a.dtype for a in arrays)
        for k, a in enumerate(arrays):
            if _is_in(a, non_diff) or a.dtype.kind != "f":
                results.append(_make(a, None))
                continue
            sel = _new(_Select)
            sel._next, sel._saved, sel._tags = (ctx,), (), None
            sel.needs_input_grad = (True,)
            sel._seq = next(_seq)
            sel._shape, sel._dtype = a.shape, a.dtype
            sel.index, sel.count = k, len(arrays)
            results.append(_make(a, sel))
    # Saved Tensors become arrays plus tags, so the node holds no Tensor (no cycles).
    saved = ctx._saved
    if saved:
        plain = []
        tags = []
        for s in saved:
            tag = None
            if isinstance(s, Tensor):
                for i, a in enumerate(args):
                    if s is a:
                        tag = i
                        break
                else:
                    for o in outs:
                        if s is o:
                            tag = _OUTPUT if len(outs) == 1 else "multi"
                            break
                s = s._data
            elif s is not None:
                s = np.asarray(s)
            plain.append(s)
            tags.append(tag)
        ctx._saved = tuple(plain)
        ctx._tags = tuple(tags)
    return results[0] if single else tuple(results)
