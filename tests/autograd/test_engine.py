"""Behavioural tests of the tape and the engine, each against a hand-computed expectation."""
import gc
import weakref

import numpy as np
import pytest

import autograd
from autograd import Function
from custom_functions import Cube


def _t(values, requires_grad=True, dtype=np.float64):
    return autograd.tensor(np.asarray(values, dtype=dtype), requires_grad=requires_grad)


def _np(t):
    return t.detach().numpy()


# ---------------------------------------------------------------------- accumulation and order
def test_grad_accumulates_when_tensor_is_reused():
    x = _t(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert float(x.grad) == 7.0


def test_diamond_adds_the_gradients_of_both_paths():
    x = _t(2.0)
    a = x * 2.0
    b = x * x
    (a * b).backward()  # 2x^3 -> 6x^2
    assert float(x.grad) == 24.0


def test_a_node_runs_only_after_all_its_consumers_have_sent_their_gradient():
    x = _t(1.5)
    h = x.exp()
    out = h * h + h.sin() * h  # every path into h must be summed before h's backward runs
    out.backward()
    e = np.exp(1.5)
    expected = 2 * e * e + (np.cos(e) * e + np.sin(e)) * e
    assert float(x.grad) == pytest.approx(expected, rel=1e-12)


def test_million_node_chain_runs_forward_backward_and_drop_without_recursion():
    x = _t([1.0])
    y = x
    for _ in range(1_000_000):
        y = y + 0.5
    assert float(y) == 500_001.0
    assert "grad_fn=<AddBackward>" in repr(y)
    y.backward()
    assert float(x.grad) == 1.0
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None  # freed by reference counting, with no recursion error


# ---------------------------------------------------------------------- misuse
def test_backward_of_a_non_scalar_without_a_gradient_raises():
    y = _t([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match="scalar"):
        y.backward()


def test_backward_of_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        _t([1.0], requires_grad=False).sum().backward()


def test_second_backward_through_a_freed_graph_raises_mentioning_retain_graph():
    x = _t([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()


def test_retain_graph_allows_a_second_backward_which_accumulates():
    x = _t([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(_np(x.grad), [4.0, 8.0])  # 2 * 2x


def test_saved_values_are_freed_after_backward_without_retain_graph():
    x = _t([1.0, 2.0])
    loss = (x.exp() * x).sum()
    node = loss.grad_fn._next[0]  # the Mul node
    assert node._saved
    loss.backward()
    assert node._saved is None


# ---------------------------------------------------------------------- hooks and retain_grad
def test_a_hook_sees_the_gradient_and_can_replace_it():
    x = _t([1.0, 2.0])
    y = x * 3.0
    seen = []
    y.register_hook(lambda g: seen.append(_np(g).copy()) or g * 10)
    y.sum().backward()
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])
    np.testing.assert_array_equal(_np(x.grad), [30.0, 30.0])


def test_a_removed_hook_no_longer_runs():
    x = _t([1.0])
    y = x * 2.0
    handle = y.register_hook(lambda g: g * 100)
    handle.remove()
    y.sum().backward()
    assert float(x.grad) == 2.0


def test_a_hook_on_a_leaf_changes_what_is_accumulated():
    x = _t([1.0, 2.0])
    x.register_hook(lambda g: g * 0.5)
    (x * 4.0).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [2.0, 2.0])


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = _t([1.0, 2.0])
    y = x * 3.0
    y.retain_grad()
    z = x * 2.0
    (y * y + z).sum().backward()
    np.testing.assert_array_equal(_np(y.grad), [6.0, 12.0])  # 2y
    assert z.grad is None


def test_only_leaves_get_a_grad():
    x = _t([1.0])
    y = x.exp()
    y.sum().backward()
    assert x.grad is not None and y.grad is None and y.grad_fn is not None


def test_detach_stops_the_gradient_and_shares_the_data():
    x = _t([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    (x * d).sum().backward()  # d counts as a constant: d/dx = d
    np.testing.assert_array_equal(_np(x.grad), [1.0, 2.0])
    assert np.shares_memory(d.numpy(), x.detach().numpy())


def test_grad_accumulates_across_calls_until_reset():
    x = _t([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [6.0, 6.0])
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [3.0, 3.0])


def test_broadcast_inputs_get_gradients_of_their_own_shapes():
    a = _t(np.arange(6.0).reshape(2, 3))
    b = _t([1.0, 2.0, 3.0])
    c = _t([0.5])
    s = _t(2.0)
    (a * b + c * s).sum().backward()
    np.testing.assert_array_equal(_np(a.grad), [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(_np(b.grad), [3.0, 5.0, 7.0])  # column sums of a
    np.testing.assert_array_equal(_np(c.grad), [12.0])  # six elements times s
    assert s.grad.shape == () and float(s.grad) == 3.0


def test_two_leaves_never_share_a_gradient_array():
    a, b = _t([1.0, 2.0]), _t([3.0, 4.0])
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[0] = 99.0
    assert float(b.grad[0]) == 1.0


def test_a_leaf_gradient_does_not_alias_the_gradient_passed_in():
    x = _t([1.0, 2.0])
    g = autograd.tensor(np.array([1.0, 1.0]))
    (x + 0.0).backward(g)
    (x + 0.0).backward(g)  # accumulation must not write into g
    np.testing.assert_array_equal(_np(g), [1.0, 1.0])
    np.testing.assert_array_equal(_np(x.grad), [2.0, 2.0])


# ---------------------------------------------------------------------- higher order
def test_double_and_triple_derivatives_of_a_cube():
    x = _t(2.0)
    y = x * x * x
    g1, = autograd.grad(y, x, create_graph=True)   # 3x^2 = 12
    g2, = autograd.grad(g1, x, create_graph=True)  # 6x = 12
    g3, = autograd.grad(g2, x)                     # 6
    assert (float(g1), float(g2), float(g3)) == (12.0, 12.0, 6.0)


def test_third_derivative_of_an_elementwise_chain():
    x = _t([0.3, -0.4])
    y = (x.sin() * x.exp()).sum()
    g1, = autograd.grad(y, x, create_graph=True)
    g2, = autograd.grad(g1.sum(), x, create_graph=True)
    g3, = autograd.grad(g2.sum(), x)
    v = np.array([0.3, -0.4])
    # (sin x e^x)''' = 2 e^x (cos x - sin x)
    np.testing.assert_allclose(_np(g3), 2 * np.exp(v) * (np.cos(v) - np.sin(v)), rtol=1e-12)


def test_mixed_second_derivative():
    x, y = _t(1.5), _t(-2.0)
    f = x * x * y  # d2f/dxdy = 2x
    gx, = autograd.grad(f, x, create_graph=True)
    gxy, = autograd.grad(gx, y)
    assert float(gxy) == 3.0


def test_backward_with_create_graph_leaves_a_differentiable_grad():
    x = _t([1.0, 2.0])
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g2, = autograd.grad(x.grad.sum(), x)
    np.testing.assert_array_equal(_np(g2), [6.0, 12.0])


def test_grad_leaves_dot_grad_alone_and_reports_unused_inputs():
    x, unused = _t([1.0]), _t([2.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad((x * 2).sum(), (x, unused))
    gx, gu = autograd.grad((x * 2).sum(), (x, unused), allow_unused=True)
    assert float(gx) == 2.0 and gu is None and x.grad is None


def test_second_derivative_through_an_op_on_a_0d_tensor_is_connected():
    # regression: ufuncs return NumPy scalars for 0-d arrays; a saved 0-d output was a constant
    x = _t(0.5)
    g, = autograd.grad(x.exp(), x, create_graph=True)
    assert g.requires_grad
    g2, = autograd.grad(g, x)
    assert float(g2) == pytest.approx(np.exp(0.5))


# ---------------------------------------------------------------------- in-place safety
def test_modifying_a_saved_value_in_place_makes_backward_name_both_ops():
    x = _t([1.0, 2.0])
    w = x * 1.0
    s = w.sin()  # Sin saves its input w
    w.mul_(2.0)
    with pytest.raises(RuntimeError) as info:
        s.sum().backward()
    assert "SinBackward" in str(info.value) and "mul_" in str(info.value)


def test_modifying_a_saved_output_in_place_is_detected_too():
    x = _t([1.0, 2.0])
    y = x.exp()  # Exp saves its output
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="ExpBackward"):
        y.sum().backward()


# ---------------------------------------------------------------------- anomaly mode
def test_detect_anomaly_names_the_op_whose_gradient_is_not_finite_and_where_it_was_made():
    x = _t([0.0, 1.0])
    with autograd.detect_anomaly():
        y = x.sqrt()  # d sqrt(x)/dx at 0 is inf
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "SqrtBackward" in msg and "test_engine.py" in msg


def test_without_anomaly_mode_a_non_finite_gradient_passes_silently():
    x = _t([0.0])
    x.sqrt().sum().backward()
    assert np.isinf(float(x.grad))


# ---------------------------------------------------------------------- memory
def test_dropping_the_loss_frees_every_saved_array_without_the_cycle_collector():
    x = _t(np.ones(4))
    h = x.exp()
    loss = (h * x).sum()
    del h
    nodes = []
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(e for e in node._next if e is not None and e._is_node)
    saved = [weakref.ref(s) for n in nodes for s in (n._saved or ()) if isinstance(s, np.ndarray)
             and s is not x.detach().numpy()]
    assert saved, "the graph saved no arrays to watch"
    node_refs = [weakref.ref(n) for n in nodes]
    del nodes, stack, node
    gc.disable()
    try:
        del loss
        assert all(r() is None for r in node_refs)
        assert all(r() is None for r in saved)
    finally:
        gc.enable()


def test_backward_releases_saved_arrays_while_the_loss_is_still_alive():
    x = _t(np.ones(3))
    loss = (x.exp() * x).sum()
    mul = loss.grad_fn._next[0]
    refs = [weakref.ref(s) for s in mul._saved if isinstance(s, np.ndarray)
            and s is not x.detach().numpy()]
    loss.backward()
    assert refs and all(r() is None for r in refs)


# ---------------------------------------------------------------------- custom Functions
class MulAdd(Function):
    """(a * b + c, a - b): two outputs; saves inputs; honours needs_input_grad."""

    calls = []

    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b)
        return a * b + c, a - b

    @staticmethod
    def backward(ctx, g1, g2):
        a, b = ctx.saved_tensors
        MulAdd.calls.append(ctx.needs_input_grad)
        ga = g1 * b + g2 if ctx.needs_input_grad[0] else None
        gb = g1 * a - g2 if ctx.needs_input_grad[1] else None
        gc_ = g1 if ctx.needs_input_grad[2] else None
        return ga, gb, gc_


def test_custom_function_receives_tensors_and_returns_gradients_per_input():
    a, b = _t([2.0]), _t([3.0])
    c = _t([1.0], requires_grad=False)
    MulAdd.calls.clear()
    p, q = MulAdd.apply(a, b, c)
    assert float(p) == 7.0 and float(q) == -1.0
    assert p.grad_fn is not None
    (p * 2 + q).sum().backward()
    assert MulAdd.calls == [(True, True, False)]
    assert float(a.grad) == 2 * 3.0 + 1.0 and float(b.grad) == 2 * 2.0 - 1.0
    assert c.grad is None


def test_custom_function_with_one_output_unused_gets_zeros_for_it():
    a, b = _t([2.0]), _t([3.0])
    p, q = MulAdd.apply(a, b, _t([1.0]))
    p.sum().backward()
    assert float(a.grad) == 3.0 and float(b.grad) == 2.0


def test_custom_function_outputs_marked_non_differentiable_do_not_require_grad():
    class SortValues(Function):
        @staticmethod
        def forward(ctx, x):
            order = autograd.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(order)
            ctx.order = order
            return x[order], order

        @staticmethod
        def backward(ctx, g, g_order):
            out = autograd.zeros(g.shape, dtype=g.dtype)
            out[ctx.order] = g
            return out

    x = _t([3.0, 1.0, 2.0])
    values, order = SortValues.apply(x)
    assert not order.requires_grad and values.requires_grad
    (values * autograd.tensor([1.0, 10.0, 100.0], dtype=autograd.float64)).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [100.0, 1.0, 10.0])


def test_custom_function_works_under_create_graph():
    x = _t(2.0)
    g1, = autograd.grad(Cube.apply(x), x, create_graph=True)  # 3x^2 = 12
    g2, = autograd.grad(g1, x)                                  # 6x = 12
    assert (float(g1), float(g2)) == (12.0, 12.0)


def test_custom_function_saving_an_input_in_place_modified_raises():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = _t([1.0])
    w = x * 1.0
    y = Square.apply(w)
    w.add_(1.0)
    with pytest.raises(RuntimeError, match="add_"):
        y.sum().backward()


def test_custom_function_not_requiring_grad_records_nothing():
    a = _t([2.0], requires_grad=False)
    p, q = MulAdd.apply(a, a, a)
    assert p.grad_fn is None and not p.requires_grad


# ---------------------------------------------------------------------- gradient shapes
class _BroadcastAdd(Function):
    """a + b whose backward returns the output-shaped gradient for both inputs."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


def test_a_gradient_with_the_broadcast_shape_is_summed_back_to_the_input_as_pytorch_does():
    a = _t(np.arange(6.0).reshape(2, 3))
    b = _t([1.0, 2.0, 3.0])
    weights = np.arange(6.0).reshape(2, 3)
    (_BroadcastAdd.apply(a, b) * _t(weights, requires_grad=False)).sum().backward()
    np.testing.assert_array_equal(_np(a.grad), weights)
    np.testing.assert_array_equal(_np(b.grad), weights.sum(axis=0))


def test_broadcast_gradients_are_summed_under_create_graph_too():
    b = _t([1.0, 2.0])
    a = _t(np.ones((3, 2)))
    y = (_BroadcastAdd.apply(a, b) ** 2).sum()
    gb, = autograd.grad(y, b, create_graph=True)
    # dy/db_j = sum_i 2 (a_ij + b_j); d(sum_j dy/db_j)/db_j = 2 * 3
    np.testing.assert_array_equal(_np(gb), 2 * (np.ones((3, 2)) + [1.0, 2.0]).sum(axis=0))
    gg, = autograd.grad(gb.sum(), b)
    np.testing.assert_array_equal(_np(gg), [6.0, 6.0])


def _identity_whose_backward_returns(name, planted):
    """y = a, with a backward that returns `planted(g)` instead of g."""
    class Planted(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):
            return planted(g)
    Planted.__name__ = Planted.__qualname__ = name
    return Planted


_Transposed = _identity_whose_backward_returns("_Transposed", lambda g: g.T)
_Float32Grad = _identity_whose_backward_returns("_Float32Grad", lambda g: g.to(autograd.float32))


@pytest.mark.parametrize("through_node", [False, True])
def test_a_gradient_no_broadcast_explains_raises_naming_op_and_both_shapes(through_node):
    a = _t(np.ones((2, 3)))
    x = a * 1.0 if through_node else a
    with pytest.raises(RuntimeError, match=r"_TransposedBackward.*\(3, 2\).*\(2, 3\)"):
        _Transposed.apply(x).sum().backward()


def test_a_gradient_of_another_dtype_raises_naming_both_dtypes():
    a = _t(np.ones(3))
    with pytest.raises(RuntimeError, match="float32.*float64"):
        _Float32Grad.apply(a).sum().backward()


# ---------------------------------------------------------------------- Python-number operands
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("scalar", [0.1, -0.0, 0.0, 3, -7, 1e30, float("inf"), float("nan")])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv"])
def test_python_number_operands_give_numpys_bits_in_the_tensors_dtype(dtype, scalar, op):
    values = np.array([1.5, -2.25, 0.0, 3e-3], dtype=dtype)
    x = autograd.tensor(values, requires_grad=True)
    with np.errstate(all="ignore"):
        expected = getattr(values, f"__{op}__")(scalar)
        got = getattr(x, f"__{op}__")(scalar)
    assert got.dtype == dtype
    np.testing.assert_array_equal(_np(got), expected)
    assert np.array_equal(np.signbit(_np(got)), np.signbit(expected))


def test_a_python_int_too_large_for_a_float_behaves_as_in_numpy():
    values = np.ones(2, np.float32)
    x = autograd.tensor(values)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(_np(x * 10 ** 40), values * 10 ** 40)


def test_scalar_constants_are_shared_read_only_and_bounded():
    from autograd import function
    x = _t([1.0, 2.0])
    y = x * 2.5
    constant = y.grad_fn._saved[1]
    assert constant.ndim == 0 and not constant.flags.writeable
    assert (x * 2.5).grad_fn._saved[1] is constant
    for k in range(3 * function._SCALAR_CACHE_SIZE):
        _ = x * (k + 0.5)
    assert len(function._scalar_arrays[x.dtype]) <= function._SCALAR_CACHE_SIZE


def test_second_derivative_through_ops_with_python_number_operands():
    x = _t([0.5, 2.0])
    y = ((x * 3.0 + 1.0) / 2.0 - 0.25) ** 3  # ((3x + 1) / 2 - 1/4)^3
    g, = autograd.grad(y.sum(), x, create_graph=True)
    gg, = autograd.grad(g.sum(), x)
    u = (3 * _np(x) + 1) / 2 - 0.25
    np.testing.assert_allclose(_np(g), 3 * u ** 2 * 1.5)
    np.testing.assert_allclose(_np(gg), 6 * u * 1.5 ** 2)


# ---------------------------------------------------------------------- grad() for intermediates
def test_grad_for_an_intermediate_runs_nothing_beyond_it_so_a_later_backward_still_works():
    x = _t([2.0, 3.0])
    h = x * 3.0
    y = (h * h).sum()
    gh, = autograd.grad(y, h)
    np.testing.assert_array_equal(_np(gh), 2 * 3.0 * np.array([2.0, 3.0]))
    # h's own node kept its saved values: a second loss can still go through it to x
    (h * 2.0).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [6.0, 6.0])


def test_grad_of_a_tensor_with_respect_to_itself_is_one_and_leaves_its_graph_alone():
    x = _t([1.0, 4.0])
    s = (x * x).sum()
    g, = autograd.grad(s, s)
    assert float(g) == 1.0
    s.backward()
    np.testing.assert_array_equal(_np(x.grad), [2.0, 8.0])


def test_grad_for_an_intermediate_and_a_leaf_together_reaches_both():
    x = _t([1.0, 2.0])
    h = x * x
    y = (h * x).sum()  # y = sum(x^3); dy/dh = x; dy/dx = 3x^2 (both paths)
    gh, gx = autograd.grad(y, (h, x))
    np.testing.assert_array_equal(_np(gh), [1.0, 2.0])
    np.testing.assert_array_equal(_np(gx), [3.0, 12.0])


def test_a_gradient_penalty_through_an_intermediate_differentiates_twice():
    w = _t([0.5, -1.0])
    inter = w * 2.0  # an intermediate, as the interpolated sample of a gradient penalty
    out = (inter ** 3).sum()
    g, = autograd.grad(out, inter, create_graph=True)  # 3 inter^2
    penalty = (g * g).sum()  # 9 sum(inter^4); d/dw = 36 inter^3 * 2
    penalty.backward()
    np.testing.assert_allclose(_np(w.grad), 72.0 * (np.array([0.5, -1.0]) * 2.0) ** 3)
