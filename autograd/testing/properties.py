"""Ready-made properties: gradients against finite differences, values against a reference.

`assert_gradients_match_finite_differences(fn, *strategies)` is the one-call property for your
own functions:

    >>> from autograd.testing import strategies as ts
    >>> def softsign(x):
    ...     return x / (1 + x.abs())
    >>> assert_gradients_match_finite_differences(
    ...     softsign, ts.float_arrays(ts.shapes(), ts.Domain(-3, 3, avoid=(0,))))

The `check_*` functions run one example of an `OpSpec` (the registry tests call them).
"""
import numpy as np
from hypothesis import given, settings as hyp_settings, strategies as st

from .. import creation, grad_mode
from ..gradcheck import gradcheck, gradgradcheck
from ..tensor import Tensor

__all__ = ["assert_gradients_match_finite_differences", "check_values", "check_gradients",
           "check_double_backward", "graph_op_names", "as_inputs"]


def as_inputs(values, requires_grad=True):
    """Drawn values as call arguments: float arrays become leaf Tensors (requiring grad), Tensors
    and anything else pass through unchanged."""
    out = []
    for v in values:
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            v = creation.tensor(v, requires_grad=requires_grad)
        out.append(v)
    return tuple(out)


def assert_gradients_match_finite_differences(fn, *strategies, eps=1e-6, atol=1e-5, rtol=1e-3,
                                              double_backward=False, fast_mode=False,
                                              max_examples=None, settings=None):
    """Property-test `fn`: for every draw of `strategies`, its gradients match central finite
    differences in float64 (and its second derivatives too with `double_backward=True`).

    Args:
        fn: a function of as many arguments as there are strategies, returning a Tensor or a
            tuple of Tensors.
        *strategies: one Hypothesis strategy per argument. Float NumPy arrays are turned into
            Tensors requiring grad; Tensors are used as drawn (their `requires_grad` decides
            whether they are checked); other values (ints, tuples, index arrays) pass through.
        eps, atol, rtol, fast_mode: passed to `gradcheck` / `gradgradcheck`.
        max_examples: number of examples (default: the active Hypothesis profile's).
        settings: a `hypothesis.settings` object to run under (overrides `max_examples`).

    Raises:
        GradcheckError (through Hypothesis, with the shrunk failing input) on a mismatch.
    """
    def check(drawn):
        inputs = as_inputs(drawn)
        gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode)
        if double_backward:
            gradgradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol, fast_mode=fast_mode)

    test = given(st.tuples(*strategies))(check)
    if settings is not None:
        test = settings(test)
    elif max_examples is not None:
        test = hyp_settings(max_examples=max_examples)(test)
    test()


# ---------------------------------------------------------------------- registry checks
def graph_op_names(outputs):
    """Class names of every node reachable from `outputs` (a Tensor or a sequence of them)."""
    if isinstance(outputs, Tensor):
        outputs = (outputs,)
    stack = [t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None]
    seen, names = set(), set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        names.add(type(node).__name__)
        stack.extend(e for e in node._next if e is not None and e._is_node)
    return names


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def check_values(spec, arrays, kwargs, dtype=np.float64):
    """`spec.fn` on `arrays` (in `dtype`) equals `spec.ref` on the same values in float64, with
    the same shapes, float outputs in `dtype` (Python scalars never upcast float32), and
    nothing recorded when no input requires grad."""
    dtype = np.dtype(dtype)
    arrays = tuple(np.asarray(a, dtype=dtype) for a in arrays)
    tensors = tuple(creation.tensor(a) for a in arrays)
    with grad_mode.enable_grad():
        out = spec.fn(*tensors, **kwargs)
    expected = spec.ref(*(a.astype(np.float64) for a in arrays), **kwargs)
    outs, exps = _as_tuple(out), _as_tuple(expected)
    assert len(outs) == len(exps), \
        f"{spec.name}: {len(outs)} outputs but the reference gave {len(exps)}"
    atol, rtol = (spec.atol, spec.rtol) if dtype == np.float64 else (spec.atol32, spec.rtol32)
    for k, (o, e) in enumerate(zip(outs, exps)):
        e = np.asarray(e)
        assert isinstance(o, Tensor), f"{spec.name}: output {k} is a {type(o).__name__}"
        assert o.shape == e.shape, f"{spec.name}: output {k} has shape {o.shape}, " \
                                   f"reference {e.shape}"
        if e.dtype.kind == "f":
            assert o.dtype == dtype, f"{spec.name}: output {k} has dtype {o.dtype} for " \
                                     f"{dtype} inputs"
            np.testing.assert_allclose(o._data.astype(np.float64), e, atol=atol, rtol=rtol,
                                       equal_nan=True, err_msg=f"{spec.name}: output {k}")
        else:
            assert o.dtype.kind == e.dtype.kind, f"{spec.name}: output {k} has dtype {o.dtype}, " \
                                                 f"reference {e.dtype}"
            np.testing.assert_array_equal(o._data, e, err_msg=f"{spec.name}: output {k}")
        assert o.grad_fn is None and not o.requires_grad, \
            f"{spec.name}: output {k} was recorded although no input requires grad"


def check_gradients(spec, arrays, kwargs):
    """gradcheck of `spec.fn` at `arrays` (float64, every tensor argument differentiated), after
    checking that some float output requires grad (else gradcheck would only check that nothing
    depends on the inputs)."""
    tensors = tuple(creation.tensor(np.asarray(a, np.float64), requires_grad=True)
                    for a in arrays)
    out = spec.fn(*tensors, **kwargs)
    floats = [o for o in _as_tuple(out) if isinstance(o, Tensor) and o.dtype.kind == "f"]
    assert not floats or any(o.requires_grad for o in floats), \
        f"{spec.name}: no float output requires grad although every input does"
    gradcheck(lambda *ts: spec.fn(*ts, **kwargs), tensors, atol=spec.grad_atol,
              rtol=spec.grad_rtol)


def check_double_backward(spec, arrays, kwargs):
    """gradgradcheck of `spec.fn` at `arrays` (float64)."""
    tensors = tuple(creation.tensor(np.asarray(a, np.float64), requires_grad=True)
                    for a in arrays)
    gradgradcheck(lambda *ts: spec.fn(*ts, **kwargs), tensors, atol=spec.grad_atol,
                  rtol=spec.grad_rtol)
