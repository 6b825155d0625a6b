"""autograd.func (torch.func): transforms against hand-computed derivatives and plain loops."""
import numpy as np
import pytest

import autograd
import nn
from autograd import func

RNG = np.random.default_rng(0)


def _t(a, requires_grad=False):
    return autograd.tensor(np.asarray(a, dtype=np.float64), dtype=autograd.float64,
                           requires_grad=requires_grad)


def _np(t):
    return t.detach().numpy()


# ---------------------------------------------------------------------- grad
def test_reachable_as_torch_func_and_stateless():
    import nn.utils
    assert autograd.func is func
    assert nn.utils.stateless.functional_call is func.functional_call


def test_grad_of_cube_sum_is_three_x_squared():
    x = np.array([1.0, -2.0, 0.5])
    g = func.grad(lambda x: (x ** 3).sum())(_t(x))
    np.testing.assert_allclose(_np(g), 3 * x ** 2, rtol=1e-14)
    assert not g.requires_grad


def test_grad_of_grad_is_the_second_derivative():
    f = lambda x: autograd.sin(x) * x  # f'' = 2 cos x - x sin x
    x = 0.7
    d2 = func.grad(func.grad(f))(_t(x))
    np.testing.assert_allclose(_np(d2), 2 * np.cos(x) - x * np.sin(x), rtol=1e-13)
    d3 = func.grad(func.grad(func.grad(f)))(_t(x))  # f''' = -3 sin x - x cos x
    np.testing.assert_allclose(_np(d3), -3 * np.sin(x) - x * np.cos(x), rtol=1e-13)


def test_grad_argnums_tuple_negative_and_unused_gives_zeros():
    f = lambda x, y, z: (x * y).sum()
    x, y, z = _t([1.0, 2.0]), _t([3.0, 4.0]), _t([5.0])
    gx, gz = func.grad(f, argnums=(0, -1))(x, y, z)
    np.testing.assert_allclose(_np(gx), [3.0, 4.0])
    np.testing.assert_allclose(_np(gz), [0.0])


def test_grad_of_a_pytree_argument_has_its_structure():
    f = lambda p, x: (p["w"] * x).sum() + p["b"][0] ** 2 * p["b"][1]
    p = {"w": _t([1.0, 2.0]), "b": (_t(3.0), _t(5.0))}
    g = func.grad(f)(p, _t([7.0, 11.0]))
    assert set(g) == {"w", "b"} and isinstance(g["b"], tuple)
    np.testing.assert_allclose(_np(g["w"]), [7.0, 11.0])
    np.testing.assert_allclose(_np(g["b"][0]), 2 * 3.0 * 5.0)
    np.testing.assert_allclose(_np(g["b"][1]), 9.0)


def test_grad_and_value_and_has_aux():
    f = lambda x: ((x ** 2).sum(), x * 10)
    x = _t([1.0, 2.0])
    (g, (v, aux)) = func.grad_and_value(f, has_aux=True)(x)
    np.testing.assert_allclose(_np(g), [2.0, 4.0])
    np.testing.assert_allclose(_np(v), 5.0)
    np.testing.assert_allclose(_np(aux), [10.0, 20.0])
    g2, aux2 = func.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(_np(g2), [2.0, 4.0])
    np.testing.assert_allclose(_np(aux2), [10.0, 20.0])


def test_grad_result_backpropagates_when_inputs_require_grad():
    x = _t([1.0, 2.0], requires_grad=True)
    g = func.grad(lambda x: (x ** 3).sum())(x)  # 3x^2, whose sum has gradient 6x
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(_np(x.grad), [6.0, 12.0])


def test_grad_errors_match_pytorch():
    x = _t([1.0, 2.0])
    with pytest.raises(RuntimeError, match="scalar Tensor.*1 dims"):
        func.grad(lambda x: x * 2)(x)
    with pytest.raises(RuntimeError, match="tuple: \\(output, aux\\)"):
        func.grad(lambda x: x.sum(), has_aux=True)(x)
    with pytest.raises(RuntimeError, match="argnums=2"):
        func.grad(lambda x: x.sum(), argnums=2)(x)
    with pytest.raises(RuntimeError, match="unique"):
        func.grad(lambda x, y: x.sum(), argnums=(0, 0))(x, x)


# ---------------------------------------------------------------------- vjp / jvp
def test_vjp_and_jvp_of_an_elementwise_product():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 2.0])
    out, vjp_fn = func.vjp(lambda a, b: a * autograd.exp(b), _t(x), _t(y))
    np.testing.assert_allclose(_np(out), x * np.exp(y))
    v = np.array([1.0, 10.0, 100.0])
    gx, gy = vjp_fn(_t(v))
    np.testing.assert_allclose(_np(gx), v * np.exp(y), rtol=1e-14)
    np.testing.assert_allclose(_np(gy), v * x * np.exp(y), rtol=1e-14)
    tx, ty = np.array([0.3, -1.0, 2.0]), np.array([1.0, 1.0, -0.5])
    out, tan = func.jvp(lambda a, b: a * autograd.exp(b), (_t(x), _t(y)), (_t(tx), _t(ty)))
    np.testing.assert_allclose(_np(tan), tx * np.exp(y) + x * np.exp(y) * ty, rtol=1e-14)


def test_jvp_needs_tuples_and_vjp_checks_shapes():
    x = _t([1.0, 2.0])
    with pytest.raises(RuntimeError, match="primals to be a tuple"):
        func.jvp(autograd.sin, x, x)
    _, vjp_fn = func.vjp(autograd.sin, x)
    with pytest.raises(RuntimeError, match="shape"):
        vjp_fn(_t([1.0, 2.0, 3.0]))


# ---------------------------------------------------------------------- Jacobians
def test_jacrev_and_jacfwd_of_a_matrix_vector_product():
    a = RNG.standard_normal((3, 4))
    x = RNG.standard_normal(4)
    f = lambda A, x: autograd.tanh(A @ x)
    d = 1 - np.tanh(a @ x) ** 2
    for jac in (func.jacrev, func.jacfwd):
        jx = jac(f, argnums=1)(_t(a), _t(x))
        np.testing.assert_allclose(_np(jx), d[:, None] * a, rtol=1e-13)
        ja, jx2 = jac(f, argnums=(0, 1))(_t(a), _t(x))
        expect = np.zeros((3, 3, 4))
        for i in range(3):
            expect[i, i] = d[i] * x
        assert ja.shape == (3, 3, 4)
        np.testing.assert_allclose(_np(ja), expect, rtol=1e-13, atol=1e-15)


def test_hessian_of_a_quadratic_form_and_of_a_cubic():
    m = RNG.standard_normal((3, 3))
    h = func.hessian(lambda x: x @ _t(m) @ x)(_t(RNG.standard_normal(3)))
    np.testing.assert_allclose(_np(h), m + m.T, rtol=1e-13)
    x = np.array([1.0, -2.0])
    h = func.hessian(lambda x: (x ** 3).sum() * x[0])(_t(x))
    # f = (x0^3 + x1^3) x0: f_00 = 12 x0^2, f_01 = 3 x1^2, f_11 = 6 x1 x0
    np.testing.assert_allclose(_np(h), [[12.0, 12.0], [12.0, -12.0]], rtol=1e-13)


# ---------------------------------------------------------------------- vmap
def test_vmap_of_matmul_sum_and_in_dims():
    a, b = RNG.standard_normal((5, 2, 3)), RNG.standard_normal((3, 5, 4))
    out = func.vmap(autograd.matmul, in_dims=(0, 1))(_t(a), _t(b))
    np.testing.assert_allclose(_np(out), np.einsum("nij,jnk->nik", a, b), rtol=1e-13)
    w = RNG.standard_normal(3)
    out = func.vmap(lambda x, w: (x * w).sum(), in_dims=(0, None))(_t(a[0]), _t(w))
    np.testing.assert_allclose(_np(out), a[0] @ w, rtol=1e-13)
    out = func.vmap(autograd.sum, in_dims=1, out_dims=0)(_t(a))
    np.testing.assert_allclose(_np(out), a.sum(axis=(0, 2)), rtol=1e-13)


def test_nested_vmap_is_an_outer_operation():
    x, y = RNG.standard_normal(4), RNG.standard_normal(3)
    outer = func.vmap(func.vmap(autograd.mul, in_dims=(None, 0)), in_dims=(0, None))
    np.testing.assert_allclose(_np(outer(_t(x), _t(y))), np.outer(x, y), rtol=1e-14)


def test_vmap_pytree_outputs_out_dims_and_empty_batch():
    x = RNG.standard_normal((4, 3))
    s, d = func.vmap(lambda r: (r.sum(), {"twice": r * 2}), out_dims=(0, 1))(_t(x))
    np.testing.assert_allclose(_np(s), x.sum(1))
    np.testing.assert_allclose(_np(d["twice"]), 2 * x.T)
    empty = func.vmap(lambda r: r * 2)(_t(np.zeros((0, 3))))
    assert empty.shape == (0, 3)


def test_vmap_errors_match_pytorch():
    with pytest.raises(ValueError, match="same size in the mapped dimension"):
        func.vmap(autograd.dot)(_t(np.ones((2, 3))), _t(np.ones((3, 3))))
    with pytest.raises(ValueError, match="in_dims is not compatible"):
        func.vmap(autograd.dot, in_dims=(0,))(_t(np.ones((2, 3))), _t(np.ones((2, 3))))
    with pytest.raises(ValueError, match="in_dim=2"):
        func.vmap(autograd.sum, in_dims=2)(_t(np.ones((2, 3))))
    with pytest.raises(ValueError, match="at least one input"):
        func.vmap(autograd.sum, in_dims=(None,))(_t(np.ones((2, 3))))
    with pytest.raises(ValueError, match="only Tensors"):
        func.vmap(lambda x: 1.0)(_t(np.ones((2, 3))))


def test_per_sample_gradients_equal_a_loop_of_autograd_grad():
    model = nn.Linear(3, 2).double()
    params = {k: v.detach() for k, v in model.named_parameters()}
    xs, ys = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))

    def loss(params, x, y):
        out = func.functional_call(model, params, (x.unsqueeze(0),))
        return ((out - y.unsqueeze(0)) ** 2).mean()

    per_sample = func.vmap(func.grad(loss), in_dims=(None, 0, 0))(params, _t(xs), _t(ys))
    for i in range(6):
        model.zero_grad()
        ref = autograd.grad(((model(_t(xs[i:i + 1])) - _t(ys[i:i + 1])) ** 2).mean(),
                            [model.weight, model.bias])
        np.testing.assert_allclose(_np(per_sample["weight"][i]), _np(ref[0]), rtol=1e-13)
        np.testing.assert_allclose(_np(per_sample["bias"][i]), _np(ref[1]), rtol=1e-13)


# ---------------------------------------------------------------------- functional_call
def test_functional_call_swaps_and_restores_even_on_error():
    model = nn.Linear(2, 1).double()
    w0 = model.weight
    out = func.functional_call(model, {"weight": _t([[1.0, 2.0]]), "bias": _t([0.5])},
                               (_t([[3.0, 4.0]]),))
    np.testing.assert_allclose(_np(out), [[11.5]])
    assert model.weight is w0
    with pytest.raises(RuntimeError):
        func.functional_call(model, {"weight": _t([[1.0, 2.0, 3.0]])}, _t([[3.0, 4.0]]))
    assert model.weight is w0


def test_functional_call_nested_names_buffers_and_strict():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).double().eval()
    mean = _t([1.0, -1.0])
    x = np.array([[0.5, 2.0]])
    w = np.array([[1.0, 0.0], [0.0, 2.0]])
    out = func.functional_call(model, ({"0.weight": _t(w), "0.bias": _t([0.0, 0.0])},
                                       {"1.running_mean": mean}), (_t(x),))
    bn = model[1]
    expect = (x @ w.T - [1.0, -1.0]) / np.sqrt(_np(bn.running_var) + bn.eps) \
        * _np(bn.weight) + _np(bn.bias)
    np.testing.assert_allclose(_np(out), expect, rtol=1e-12)
    assert np.all(_np(bn.running_mean) == 0)
    with pytest.raises(RuntimeError, match="Missing key"):
        func.functional_call(model, {"0.weight": _t(w)}, (_t(x),), strict=True)
    with pytest.raises(ValueError, match="multiple dictionaries"):
        func.functional_call(model, ({"0.weight": _t(w)}, {"0.weight": _t(w)}), (_t(x),))


def test_functional_call_tie_weights():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m = Tied().double()
    w = np.array([[1.0, 2.0], [0.0, 1.0]])
    x = np.array([[1.0, 1.0]])
    out = func.functional_call(m, {"a.weight": _t(w)}, (_t(x),))
    np.testing.assert_allclose(_np(out), x @ w.T @ w.T)
    out = func.functional_call(m, {"a.weight": _t(w)}, (_t(x),), tie_weights=False)
    np.testing.assert_allclose(_np(out), x @ w.T @ _np(m.b.weight).T, rtol=1e-14)


def test_meta_learning_inner_step_differentiates_through_the_update():
    # one inner SGD step on loss(w) = (w x - y)^2 / 2, then the outer loss at the updated
    # weights: w' = w - lr (w x - y) x, outer = (w' x2 - y2)^2 / 2, by hand through w'.
    model = nn.Linear(1, 1, bias=False).double()
    w = _t([[0.5]], requires_grad=True)
    x, y, x2, y2, lr = 2.0, 1.0, 3.0, -1.0, 0.1

    def inner_loss(params):
        out = func.functional_call(model, params, (_t([[x]]),))
        return ((out - y) ** 2).sum() / 2

    g = func.grad(inner_loss)({"weight": w})
    new_w = w - lr * g["weight"]
    outer = ((func.functional_call(model, {"weight": new_w}, (_t([[x2]]),)) - y2) ** 2).sum() / 2
    outer.backward()
    wv = 0.5
    w1 = wv - lr * (wv * x - y) * x
    dw1_dw = 1 - lr * x * x
    np.testing.assert_allclose(_np(w.grad), [[(w1 * x2 - y2) * x2 * dw1_dw]], rtol=1e-13)
