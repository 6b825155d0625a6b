"""Higher-level derivatives of whole functions: `vjp`, `jvp`, `jacobian`, `hessian`, `hvp`, `vhp`.

Signatures and return structures follow `torch.autograd.functional`. `func` takes Tensors and
returns a Tensor or a tuple of Tensors; `inputs` is a Tensor or a tuple of Tensors, and results
mirror that choice (a tuple only where a tuple was given). The inputs are never modified: the
functions work on detached copies (or, with `create_graph=True`, on views still connected to the
caller's graph, so the results can be differentiated again).

Reverse mode only: `jvp` and `hvp` use the double-backward trick (the vector-Jacobian product is
linear in its vector, so differentiating it with respect to that vector gives the
Jacobian-vector product), which works because every op's backward is itself differentiable.
`vectorize=True` is accepted for compatibility and computes the same thing with a loop.

Example:
    >>> def f(x):
    ...     return (x ** 3).sum()
    >>> hessian(f, autograd.tensor([1.0, 2.0]))     # diag(6 x)
"""
import numpy as np

from . import engine, grad_mode
from .tensor import Tensor, _make

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---------------------------------------------------------------------- argument handling
def _as_tuple(x, arg_name, fn_name):
    """(was_tuple, tuple of Tensors); TypeError naming the culprit otherwise."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"the value at index {i}" if is_tuple else "the given object"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but {where} has type {type(t).__name__}.")
    return is_tuple, items


def _tuple_postprocess(res, to_unpack):
    """Undo `_as_tuple`: unwrap levels that were not tuples in the caller's call."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(r[0] for r in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs, create_graph):
    """Leaves to differentiate with respect to.

    With `create_graph`, an input that requires grad is passed through a recorded identity so
    the results stay connected to the caller's graph; otherwise each input is a detached leaf.
    """
    result = []
    for t in inputs:
        if create_graph and t._requires_grad:
            result.append(t + 0.0 if t._data.dtype.kind == "f" else t)
        else:
            leaf = _make(t._data, None)
            leaf._vc = t._vc
            if t._data.dtype.kind == "f":
                leaf._requires_grad = True
            result.append(leaf)
    return tuple(result)


def _grad_postprocess(items, create_graph):
    if create_graph:
        return items
    return tuple(None if t is None else t.detach() for t in items)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if tuple(a.shape) != tuple(b.shape):
            prefix = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {tuple(b.shape)} but got "
                               f"{tuple(a.shape)}.")


def _check_requires_grad(items, what, strict):
    if not strict:
        return
    for i, t in enumerate(items):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")
        if not t._requires_grad:
            if what == "outputs":
                raise RuntimeError(f"Output {i} of the user-provided function does not require "
                                   f"gradients. The outputs must be computed in a differentiable "
                                   f"manner from the input when running in strict mode.")
            raise RuntimeError(f"The {what} of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=True):
    """`engine.grad` that tolerates outputs that do not require grad (their part is dropped)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
             if o is not None and o._requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return engine.grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                       retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_strict_message(stage, i))
            g = _make(np.zeros(ref._data.shape, _float_dtype(ref)), None)
        elif strict and create_graph and not g._requires_grad:
            raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        result.append(g)
    return tuple(result)


def _strict_message(stage, i):
    if stage in ("back", "back_trick"):
        return (f"The output of the user-provided function is independent of input {i}. This is "
                f"not allowed in strict mode.")
    if stage == "double_back":
        return (f"The jacobian of the user-provided function is independent of input {i}. This "
                f"is not allowed in strict mode.")
    return (f"The gradient with respect to input {i} is independent of the inputs of the "
            f"user-provided function. This is not allowed in strict mode.")


def _float_dtype(t):
    return t._data.dtype if t._data.dtype.kind == "f" else np.dtype(np.float64)


def _call(func, inputs, fn_name):
    out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
    return is_tuple, outs


def _single_element(outputs, fn_name):
    if len(outputs) != 1:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0]._data.size != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           f"contain a single element")


# ---------------------------------------------------------------------- vjp and jvp
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Jacobian product `v^T J` of `func` at `inputs`.

    Args:
        func: Tensors -> Tensor or tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: the vector, shaped like the outputs; may be None when the output has one element.
        create_graph: build a graph for the result (for higher derivatives).
        strict: raise if an output does not depend on an input, instead of returning zeros.

    Returns:
        (func_output, vjp) with `vjp` shaped like `inputs`.
    """
    with grad_mode.enable_grad():
        is_in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph)
        is_out_tuple, outputs = _call(func, inputs, "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            _validate_v(v, outputs, is_out_tuple)
        else:
            if len(outputs) != 1 or outputs[0]._data.size != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function "
                                   "returns a single Tensor with a single element.")
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_out_tuple), _tuple_postprocess(result, is_in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Jacobian-vector product `J v` of `func` at `inputs` (by the double-backward trick).

    Args:
        v: the vector, shaped like the inputs; may be None when the input has one element.

    Returns:
        (func_output, jvp) with `jvp` shaped like the outputs.
    """
    with grad_mode.enable_grad():
        is_in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            _validate_v(v, inputs, is_in_tuple)
        else:
            if len(inputs) != 1 or inputs[0]._data.size != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
        is_out_tuple, outputs = _call(func, inputs, "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        dummies = tuple(_dummy(o) for o in outputs)
        back = _autograd_grad(outputs, inputs, dummies, create_graph=True)
        back = _fill_in_zeros(back, inputs, strict, create_graph, "back_trick")
        with grad_mode.set_grad_enabled(bool(create_graph)):
            grads = _autograd_grad(back, dummies, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, is_out_tuple), _tuple_postprocess(result, is_out_tuple)


def _dummy(t):
    leaf = _make(np.zeros(t._data.shape, _float_dtype(t)), None)
    leaf._requires_grad = True
    return leaf


# ---------------------------------------------------------------------- jacobian and hessian
def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of `func` at `inputs`.

    Shapes: entry [i][j] is `outputs[i].shape + inputs[j].shape`; the levels that were not
    tuples in the call are unwrapped (one input, one output: a single Tensor).

    Args:
        create_graph: build a graph for the result (for higher derivatives).
        strict: raise if an output does not depend on an input, instead of returning zeros.
        vectorize: accepted for compatibility; the rows are computed in a loop either way.
        strategy: "reverse-mode" (one backward pass per output element) or "forward-mode" (one
            Jacobian-vector product per input element, by the double-backward trick).
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f'Expected strategy to be either "forward-mode" or "reverse-mode", got '
                         f'{strategy!r}.')
    with grad_mode.enable_grad():
        is_in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph)
        is_out_tuple, outputs = _call(func, inputs, "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if strategy == "forward-mode":
            blocks = _jacobian_forward(outputs, inputs, create_graph, strict)
        else:
            blocks = _jacobian_reverse(outputs, inputs, create_graph, strict)
    if not create_graph:
        blocks = tuple(tuple(b.detach() for b in row) for row in blocks)
    return _tuple_postprocess(blocks, (is_out_tuple, is_in_tuple))


def _jacobian_reverse(outputs, inputs, create_graph, strict):
    blocks = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        n = out._data.size
        for k in range(n):
            onehot = np.zeros(n, out._data.dtype)
            onehot[k] = 1
            seed = _make(onehot.reshape(out._data.shape), None)
            grads = _autograd_grad((out,), inputs, (seed,), create_graph=create_graph)
            for j, (g, inp) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed in "
                                           f"strict mode.")
                    g = _make(np.zeros(inp._data.shape, _float_dtype(inp)), None)
                rows[j].append(g)
        blocks.append(tuple(_assemble(r, out._data.shape, inp, create_graph)
                            for r, inp in zip(rows, inputs)))
    return tuple(blocks)


def _jacobian_forward(outputs, inputs, create_graph, strict):
    cols = [[[] for _ in inputs] for _ in outputs]  # [i][j] -> list of columns
    dummies = tuple(_dummy(o) for o in outputs)
    back = _autograd_grad(outputs, inputs, dummies, create_graph=True)
    for j, inp in enumerate(inputs):
        n = inp._data.size
        for k in range(n):
            onehot = np.zeros(n, _float_dtype(inp))
            onehot[k] = 1
            vs = [_make(np.zeros(t._data.shape, _float_dtype(t)), None) for t in inputs]
            vs[j] = _make(onehot.reshape(inp._data.shape), None)
            pairs = [(b, v) for b, v in zip(back, vs) if b is not None]
            with grad_mode.set_grad_enabled(bool(create_graph)):
                grads = _autograd_grad([b for b, _ in pairs], dummies, [v for _, v in pairs],
                                       create_graph=create_graph)
            for i, (g, out) in enumerate(zip(grads, outputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed in "
                                           f"strict mode.")
                    g = _make(np.zeros(out._data.shape, _float_dtype(inp)), None)
                cols[i][j].append(g)
    blocks = []
    for i, out in enumerate(outputs):
        row = []
        for j, inp in enumerate(inputs):
            col_block = _assemble(cols[i][j], inp._data.shape, out, create_graph)
            # col_block is inp.shape + out.shape: move the output axes first.
            nin = inp._data.ndim
            perm = tuple(range(nin, nin + out._data.ndim)) + tuple(range(nin))
            row.append(_permute(col_block, perm, create_graph))
        blocks.append(tuple(row))
    return tuple(blocks)


def _assemble(rows, lead_shape, other, create_graph):
    """Stack `rows` (one per element of `lead_shape`) into `lead_shape + rows[0].shape`."""
    tail = other._data.shape
    dtype = rows[0]._data.dtype if rows else _float_dtype(other)
    if not rows or not create_graph or not any(r._requires_grad for r in rows):
        arr = np.stack([r._data for r in rows]) if rows else np.zeros((0,) + tail, dtype)
        return _make(arr.reshape(tuple(lead_shape) + tuple(tail)), None)
    from . import stack
    return stack(list(rows)).reshape(tuple(lead_shape) + tuple(tail))


def _permute(t, perm, create_graph):
    if perm == tuple(range(len(perm))):
        return t
    if create_graph and t._requires_grad:
        return t.permute(*perm)
    return _make(np.ascontiguousarray(np.transpose(t._data, perm)), None)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function at `inputs`.

    Shapes: entry [i][j] is `inputs[i].shape + inputs[j].shape` (a single Tensor for a single
    input).
    """
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f'Expected strategy to be either "forward-mode" or "reverse-mode", got '
                         f'{outer_jacobian_strategy!r}.')

    def single_output(*inp):
        out = func(*inp)
        _, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _single_element(outs, "hessian")
        return outs[0].reshape(()) if outs[0]._data.shape != () else outs[0]

    def jac_func(*inp):
        jac = jacobian(single_output, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_in_tuple, is_in_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Hessian product `v^T H` of a scalar function at `inputs`.

    Returns:
        (func_output, vhp) with `vhp` shaped like `inputs`.
    """
    with grad_mode.enable_grad():
        is_in_tuple, inputs, v, outputs, jac = _hessian_setup(func, inputs, v, create_graph,
                                                              strict, "vhp")
        with grad_mode.set_grad_enabled(bool(create_graph)):
            grads = _grad_of_present(jac, inputs, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return outputs[0], _tuple_postprocess(result, is_in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Hessian-vector product `H v` of a scalar function at `inputs` (double-backward trick).

    Returns:
        (func_output, hvp) with `hvp` shaped like `inputs`.
    """
    with grad_mode.enable_grad():
        is_in_tuple, inputs, v, outputs, jac = _hessian_setup(func, inputs, v, create_graph,
                                                              strict, "hvp")
        dummies = tuple(_dummy(x) for x in inputs)
        back = _grad_of_present(jac, inputs, dummies, True)
        _check_requires_grad(back, "hessian", strict)
        with grad_mode.set_grad_enabled(bool(create_graph)):
            grads = _grad_of_present(back, dummies, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return outputs[0], _tuple_postprocess(result, is_in_tuple)


def _hessian_setup(func, inputs, v, create_graph, strict, fn_name):
    """What vhp and hvp share: checked inputs and v, the scalar output, and its gradient
    (with a graph, to be differentiated again)."""
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _grad_preprocess(inputs, create_graph)
    v = _hessian_v(v, inputs, is_in_tuple, fn_name)
    _, outputs = _call(func, inputs, fn_name)
    _single_element(outputs, fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return is_in_tuple, inputs, v, outputs, jac


def _grad_of_present(outputs, inputs, grad_outputs, create_graph):
    """`_autograd_grad` of the outputs that are not None (each with its grad_output), or all
    None when none is."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None]
    if not pairs:
        return (None,) * len(inputs)
    return _autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                          create_graph=create_graph)


def _hessian_v(v, inputs, is_in_tuple, fn_name):
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        _validate_v(v, inputs, is_in_tuple)
        return v
    if len(inputs) != 1 or inputs[0]._data.size != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    return (_make(np.ones(inputs[0]._data.shape, _float_dtype(inputs[0])), None),)
