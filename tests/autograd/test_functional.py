"""autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp against hand-computed values."""
import numpy as np
import pytest

import autograd
from autograd import functional as F


def _t(values, requires_grad=False):
    return autograd.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def _np(t):
    return t.detach().numpy()


def test_vjp_of_a_square_is_twice_the_input_times_v():
    out, g = F.vjp(lambda x: x * x, _t([1.0, 2.0, 3.0]), _t([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(_np(out), [1.0, 4.0, 9.0])
    np.testing.assert_allclose(_np(g), [2.0, 2.0, -6.0])


def test_vjp_needs_no_v_for_a_single_element_output_and_demands_one_otherwise():
    _, g = F.vjp(lambda x: (x * x).sum(), _t([1.0, 2.0]))
    np.testing.assert_allclose(_np(g), [2.0, 4.0])
    with pytest.raises(RuntimeError, match="v can only be None"):
        F.vjp(lambda x: x * x, _t([1.0, 2.0]))


def test_vjp_rejects_a_v_of_the_wrong_shape_and_non_tensor_inputs():
    with pytest.raises(RuntimeError, match="invalid size"):
        F.vjp(lambda x: x * x, _t([1.0, 2.0]), _t([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        F.vjp(lambda x: x, [1.0, 2.0])


def test_jvp_of_a_square_is_twice_the_input_times_v():
    out, g = F.jvp(lambda x: x * x, _t([1.0, 2.0, 3.0]), _t([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(_np(out), [1.0, 4.0, 9.0])
    np.testing.assert_allclose(_np(g), [2.0, 0.0, 12.0])


def test_jvp_of_a_reduction_and_of_two_inputs():
    # f(x, y) = sum(x * y):  J v = sum(y * vx + x * vy)
    x, y = _t([1.0, 2.0]), _t([3.0, -1.0])
    _, g = F.jvp(lambda a, b: (a * b).sum(), (x, y), (_t([1.0, 1.0]), _t([0.5, 2.0])))
    assert float(g) == pytest.approx(3.0 - 1.0 + 0.5 + 4.0)


def test_jacobian_of_a_square_is_diagonal():
    jac = F.jacobian(lambda x: x * x, _t([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(_np(jac), np.diag([2.0, 4.0, 6.0]))
    assert not jac.requires_grad


def test_jacobian_has_the_output_shape_followed_by_the_input_shape():
    w = _t(np.arange(6.0).reshape(3, 2))
    jac = F.jacobian(lambda x: w * x, _t([1.0, -1.0]))  # out (3, 2), in (2,)
    expected = np.zeros((3, 2, 2))
    for i in range(3):
        for j in range(2):
            expected[i, j, j] = w.numpy()[i, j]
    np.testing.assert_allclose(_np(jac), expected)


def test_jacobian_of_two_inputs_and_two_outputs_is_a_tuple_of_tuples():
    x, y = _t([1.0, 2.0]), _t([3.0, 4.0])
    jac = F.jacobian(lambda a, b: (a * b, a + b), (x, y))
    np.testing.assert_allclose(_np(jac[0][0]), np.diag([3.0, 4.0]))
    np.testing.assert_allclose(_np(jac[0][1]), np.diag([1.0, 2.0]))
    np.testing.assert_allclose(_np(jac[1][0]), np.eye(2))
    np.testing.assert_allclose(_np(jac[1][1]), np.eye(2))
    one_input = F.jacobian(lambda a: (a * 2, a.sum()), x)
    assert isinstance(one_input, tuple) and one_input[1].shape == (2,)


def test_jacobian_forward_mode_and_vectorize_give_the_reverse_mode_answer():
    x = _t([0.3, -0.7, 1.1])
    w = _t(np.arange(6.0).reshape(2, 3) / 4)

    def f(t):
        return (w @ t).tanh()
    reverse = F.jacobian(f, x)
    np.testing.assert_allclose(_np(F.jacobian(f, x, strategy="forward-mode")), _np(reverse))
    np.testing.assert_allclose(_np(F.jacobian(f, x, vectorize=True)), _np(reverse))
    h = 1 - np.tanh(_np(w) @ _np(x)) ** 2  # d tanh(Wx)/dx = diag(1 - tanh^2) W
    np.testing.assert_allclose(_np(reverse), h[:, None] * _np(w), rtol=1e-12)
    with pytest.raises(ValueError, match="strategy"):
        F.jacobian(f, x, strategy="sideways")


def test_strict_mode_refuses_an_output_independent_of_an_input():
    x, y = _t([1.0, 2.0]), _t([3.0])
    jac = F.jacobian(lambda a, b: a * 2, (x, y))
    np.testing.assert_allclose(_np(jac[1]), np.zeros((2, 1)))
    with pytest.raises(RuntimeError, match="independent of input 1"):
        F.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        F.vjp(lambda a, b: a * 2, (x, y), _t([1.0, 1.0]), strict=True)


def test_hessian_of_a_cubic_sum_is_diagonal_six_x():
    hess = F.hessian(lambda x: (x ** 3).sum(), _t([1.0, -2.0, 0.5]))
    np.testing.assert_allclose(_np(hess), np.diag([6.0, -12.0, 3.0]))


def test_hessian_of_a_product_of_two_inputs_couples_them():
    x, y = _t([1.0, 2.0]), _t([3.0, 4.0])
    hess = F.hessian(lambda a, b: (a * b).sum(), (x, y))
    np.testing.assert_allclose(_np(hess[0][0]), np.zeros((2, 2)))
    np.testing.assert_allclose(_np(hess[0][1]), np.eye(2))
    np.testing.assert_allclose(_np(hess[1][0]), np.eye(2))
    np.testing.assert_allclose(_np(hess[1][1]), np.zeros((2, 2)))


def test_hessian_refuses_a_function_with_more_than_one_output_element():
    with pytest.raises(RuntimeError, match="single element"):
        F.hessian(lambda x: x * x, _t([1.0, 2.0]))


def _mixed(x):
    # f = x0^2 x1 + sin(x1):  H = [[2 x1, 2 x0], [2 x0, -sin x1]]
    return x[0] * x[0] * x[1] + x[1].sin()


def test_hvp_and_vhp_equal_the_hand_computed_hessian_times_v():
    x, v = _t([1.5, 0.5]), _t([1.0, -2.0])
    hess = np.array([[2 * 0.5, 2 * 1.5], [2 * 1.5, -np.sin(0.5)]])
    value, hv = F.hvp(_mixed, x, v)
    assert float(value) == pytest.approx(1.5 ** 2 * 0.5 + np.sin(0.5))
    np.testing.assert_allclose(_np(hv), hess @ [1.0, -2.0], rtol=1e-12)
    _, vh = F.vhp(_mixed, x, v)
    np.testing.assert_allclose(_np(vh), np.array([1.0, -2.0]) @ hess, rtol=1e-12)
    np.testing.assert_allclose(_np(F.hessian(_mixed, x)), hess, rtol=1e-12)


def test_create_graph_makes_results_differentiable_for_third_derivatives():
    x = _t([1.0, 2.0], requires_grad=True)
    jac = F.jacobian(lambda t: t ** 3, x, create_graph=True)  # diag(3 x^2)
    assert jac.requires_grad
    g, = autograd.grad(jac.sum(), x)
    np.testing.assert_allclose(_np(g), [6.0, 12.0])
    hess = F.hessian(lambda t: (t ** 4).sum(), x, create_graph=True)  # diag(12 x^2)
    g3, = autograd.grad(hess.sum(), x)
    np.testing.assert_allclose(_np(g3), [24.0, 48.0])
    _, jv = F.jvp(lambda t: t ** 3, x, _t([1.0, 1.0]), create_graph=True)
    g, = autograd.grad(jv.sum(), x)
    np.testing.assert_allclose(_np(g), [6.0, 12.0])


def test_results_are_detached_and_inputs_untouched_without_create_graph():
    x = _t([1.0, 2.0], requires_grad=True)
    out, g = F.vjp(lambda t: t * t, x, _t([1.0, 1.0]))
    assert not out.requires_grad and not g.requires_grad
    assert x.grad is None and x.is_leaf
    np.testing.assert_allclose(_np(x), [1.0, 2.0])


def test_jacobian_matches_finite_differences_on_a_composite_function():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(4)

    def f(t):
        return (t.reshape(2, 2) @ t.reshape(2, 2)).exp().sum(dim=0)
    jac = _np(F.jacobian(f, _t(x0)))
    eps = 1e-6
    numerical = np.zeros((2, 4))
    for j in range(4):
        d = np.zeros(4)
        d[j] = eps
        numerical[:, j] = (_np(f(_t(x0 + d))) - _np(f(_t(x0 - d)))) / (2 * eps)
    np.testing.assert_allclose(jac, numerical, rtol=1e-6, atol=1e-8)
