"""One step of each pure update function equals the formula written out by hand, starting from
non-zero state at step t = 3 so bias corrections and running averages all matter. Also: the
functions work in place (the very same arrays change), leave `grad` alone, keep float32 as
float32, and accept 0-dim parameters."""
import math

import numpy as np
import pytest

import optim

T = 3


@pytest.fixture
def arrays():
    rng = np.random.default_rng(1)
    p = rng.standard_normal((2, 3))
    g = rng.standard_normal((2, 3))
    m = rng.standard_normal((2, 3)) * 0.1
    v = rng.uniform(0.01, 0.2, (2, 3))
    return p, g, m, v


def copies(*arrays):
    return [a.copy() for a in arrays]


def test_sgd_update_first_step_copies_the_gradient_into_the_buffer(arrays):
    p, g, _, _ = arrays
    param = p.copy()
    buf = optim.sgd_update(param, g, None, lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(buf, g)             # no dampening at the first step
    np.testing.assert_allclose(param, p - 0.1 * g)
    assert buf is not g


def test_sgd_update_one_step_matches_formula(arrays):
    p, g, m, _ = arrays
    param, buf = copies(p, m)
    out = optim.sgd_update(param, g, buf, lr=0.1, momentum=0.9, dampening=0.2,
                           weight_decay=0.01)
    gd = g + 0.01 * p
    b = 0.9 * m + 0.8 * gd
    np.testing.assert_allclose(out, b)
    assert out is buf
    np.testing.assert_allclose(param, p - 0.1 * b)


def test_sgd_update_nesterov_maximize_matches_formula(arrays):
    p, g, m, _ = arrays
    param, buf = copies(p, m)
    optim.sgd_update(param, g, buf, lr=0.1, momentum=0.9, nesterov=True, maximize=True)
    b = 0.9 * m - g
    np.testing.assert_allclose(param, p - 0.1 * (-g + 0.9 * b))


def test_adam_update_one_step_matches_formula(arrays):
    p, g, m, v = arrays
    param, m1, v1 = copies(p, m, v)
    optim.adam_update(param, g, m1, v1, T, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-3,
                      weight_decay=0.1)
    gd = g + 0.1 * p
    m_new = 0.9 * m + 0.1 * gd
    v_new = 0.99 * v + 0.01 * gd ** 2
    step = 0.01 * (m_new / (1 - 0.9 ** T)) / (np.sqrt(v_new / (1 - 0.99 ** T)) + 1e-3)
    np.testing.assert_allclose(m1, m_new)
    np.testing.assert_allclose(v1, v_new)
    np.testing.assert_allclose(param, p - step)


def test_adam_update_amsgrad_uses_running_max(arrays):
    p, g, m, v = arrays
    vmax = v * np.array([[0.5], [2.0]])              # one row below v, one above
    param, m1, v1, vmax1 = copies(p, m, v, vmax)
    optim.adam_update(param, g, m1, v1, T, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8,
                      amsgrad=True, max_exp_avg_sq=vmax1)
    m_new = 0.9 * m + 0.1 * g
    v_new = 0.99 * v + 0.01 * g ** 2
    vm = np.maximum(vmax, v_new)
    np.testing.assert_allclose(vmax1, vm)
    step = 0.01 * (m_new / (1 - 0.9 ** T)) / (np.sqrt(vm / (1 - 0.99 ** T)) + 1e-8)
    np.testing.assert_allclose(param, p - step)


def test_adamw_update_decays_the_weights_before_the_adam_step(arrays):
    p, g, m, v = arrays
    param, m1, v1 = copies(p, m, v)
    optim.adam_update(param, g, m1, v1, T, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-8,
                      weight_decay=0.5, decoupled_weight_decay=True)
    m_new = 0.9 * m + 0.1 * g                        # the decay never enters the moments
    v_new = 0.99 * v + 0.01 * g ** 2
    step = 0.01 * (m_new / (1 - 0.9 ** T)) / (np.sqrt(v_new / (1 - 0.99 ** T)) + 1e-8)
    np.testing.assert_allclose(m1, m_new)
    np.testing.assert_allclose(param, p * (1 - 0.01 * 0.5) - step)


def test_adamax_update_one_step_matches_formula(arrays):
    p, g, m, v = arrays
    param, m1, u1 = copies(p, m, v)
    optim.adamax_update(param, g, m1, u1, T, lr=0.01, beta1=0.9, beta2=0.5, eps=1e-3)
    m_new = 0.9 * m + 0.1 * g
    u_new = np.maximum(0.5 * v, np.abs(g) + 1e-3)
    np.testing.assert_allclose(u1, u_new)
    np.testing.assert_allclose(param, p - 0.01 * m_new / ((1 - 0.9 ** T) * u_new))


def test_nadam_update_one_step_matches_formula(arrays):
    p, g, m, v = arrays
    psi, b1, b2 = 0.1, 0.9, 0.99
    mu = lambda t: b1 * (1 - 0.5 * 0.96 ** (t * psi))
    prod_before = mu(1) * mu(2)
    param, m1, v1 = copies(p, m, v)
    mu_product = np.array(prod_before)
    optim.nadam_update(param, g, m1, v1, mu_product, T, lr=0.01, beta1=b1, beta2=b2, eps=1e-8,
                       momentum_decay=psi)
    prod_t = prod_before * mu(T)
    m_new = b1 * m + (1 - b1) * g
    v_new = b2 * v + (1 - b2) * g ** 2
    m_hat = mu(T + 1) * m_new / (1 - prod_t * mu(T + 1)) + (1 - mu(T)) * g / (1 - prod_t)
    np.testing.assert_allclose(float(mu_product), prod_t)
    np.testing.assert_allclose(param, p - 0.01 * m_hat / (np.sqrt(v_new / (1 - b2 ** T)) + 1e-8))


@pytest.mark.parametrize("t,beta2", [(3, 0.99), (8, 0.9)], ids=["unrectified", "rectified"])
def test_radam_update_one_step_matches_formula(arrays, t, beta2):
    p, g, m, v = arrays
    param, m1, v1 = copies(p, m, v)
    optim.radam_update(param, g, m1, v1, t, lr=0.01, beta1=0.9, beta2=beta2, eps=1e-8)
    m_new = 0.9 * m + 0.1 * g
    v_new = beta2 * v + (1 - beta2) * g ** 2
    m_hat = m_new / (1 - 0.9 ** t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)
    if rho_t > 5:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        expected = p - 0.01 * m_hat * r * math.sqrt(1 - beta2 ** t) / (np.sqrt(v_new) + 1e-8)
    else:
        expected = p - 0.01 * m_hat
    assert (rho_t > 5) == (t == 8)
    np.testing.assert_allclose(param, expected)


def test_rmsprop_update_centered_with_momentum_matches_formula(arrays):
    p, g, m, v = arrays
    g_avg = m * 0.5
    param, v1, b1, ga1 = copies(p, v, m, g_avg)
    optim.rmsprop_update(param, g, v1, b1, ga1, lr=0.01, alpha=0.9, eps=1e-6, momentum=0.8,
                         centered=True)
    v_new = 0.9 * v + 0.1 * g ** 2
    ga_new = 0.9 * g_avg + 0.1 * g
    b_new = 0.8 * m + g / (np.sqrt(v_new - ga_new ** 2) + 1e-6)
    np.testing.assert_allclose(b1, b_new)
    np.testing.assert_allclose(param, p - 0.01 * b_new)


def test_rmsprop_update_plain_matches_formula(arrays):
    p, g, _, v = arrays
    param, v1 = copies(p, v)
    optim.rmsprop_update(param, g, v1, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)
    gd = g + 0.1 * p
    v_new = 0.9 * v + 0.1 * gd ** 2
    np.testing.assert_allclose(param, p - 0.01 * gd / (np.sqrt(v_new) + 1e-6))


def test_adagrad_update_one_step_matches_formula(arrays):
    p, g, _, v = arrays
    param, s1 = copies(p, v)
    optim.adagrad_update(param, g, s1, T, lr=0.1, lr_decay=0.2, eps=1e-10)
    s_new = v + g ** 2
    np.testing.assert_allclose(s1, s_new)
    np.testing.assert_allclose(param, p - 0.1 / (1 + 2 * 0.2) * g / (np.sqrt(s_new) + 1e-10))


def test_adadelta_update_one_step_matches_formula(arrays):
    p, g, m, v = arrays
    u = m ** 2
    param, v1, u1 = copies(p, v, u)
    optim.adadelta_update(param, g, v1, u1, lr=0.5, rho=0.9, eps=1e-6)
    v_new = 0.9 * v + 0.1 * g ** 2
    dx = np.sqrt(u + 1e-6) / np.sqrt(v_new + 1e-6) * g
    np.testing.assert_allclose(v1, v_new)
    np.testing.assert_allclose(u1, 0.9 * u + 0.1 * dx ** 2)
    np.testing.assert_allclose(param, p - 0.5 * dx)


def test_lion_update_one_step_matches_formula(arrays):
    p, g, m, _ = arrays
    param, m1 = copies(p, m)
    optim.lion_update(param, g, m1, lr=0.01, beta1=0.9, beta2=0.99, weight_decay=0.5)
    c = 0.9 * m + 0.1 * g
    np.testing.assert_allclose(param, p - 0.01 * (np.sign(c) + 0.5 * p))
    np.testing.assert_allclose(m1, 0.99 * m + 0.01 * g)


def test_lamb_update_one_step_matches_formula(arrays):
    p, g, m, v = arrays
    param, m1, v1 = copies(p, m, v)
    optim.lamb_update(param, g, m1, v1, T, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-6,
                      weight_decay=0.1)
    m_new = 0.9 * m + 0.1 * g
    v_new = 0.99 * v + 0.01 * g ** 2
    r = (m_new / (1 - 0.9 ** T)) / (np.sqrt(v_new / (1 - 0.99 ** T)) + 1e-6) + 0.1 * p
    trust = np.linalg.norm(p) / np.linalg.norm(r)
    np.testing.assert_allclose(param, p - 0.01 * trust * r)


def test_lamb_update_trust_ratio_is_one_for_zero_weights(arrays):
    _, g, m, v = arrays
    param, m1, v1 = np.zeros((2, 3)), m.copy(), v.copy()
    optim.lamb_update(param, g, m1, v1, T, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-6)
    r = (m1 / (1 - 0.9 ** T)) / (np.sqrt(v1 / (1 - 0.99 ** T)) + 1e-6)
    np.testing.assert_allclose(param, -0.01 * r)


def test_adafactor_update_matrix_matches_formula(arrays):
    p, g, _, _ = arrays
    rng = np.random.default_rng(2)
    row, col = rng.uniform(0.1, 1, (2, 1)), rng.uniform(0.1, 1, (1, 3))
    param, r1, c1 = copies(p, row, col)
    optim.adafactor_update(param, g, T, r1, c1, lr=0.05, beta2_decay=-0.8, eps1=1e-30,
                           eps2=1e-3, d=1.0, weight_decay=0.1)
    w = T ** -0.8                                     # 1 - beta2_t
    r_new = (1 - w) * row + w * (g ** 2).mean(axis=1, keepdims=True)
    c_new = (1 - w) * col + w * (g ** 2).mean(axis=0, keepdims=True)
    vhat = r_new * c_new / r_new.mean()
    u = g / np.sqrt(vhat)
    u = u / max(1.0, np.sqrt((u ** 2).mean()) / 1.0)
    alpha = max(1e-3, np.sqrt((p ** 2).mean())) * min(0.05, 1 / math.sqrt(T))
    np.testing.assert_allclose(r1, r_new)
    np.testing.assert_allclose(c1, c_new)
    np.testing.assert_allclose(param, p * (1 - 0.05 * 0.1) - alpha * u)


def test_adafactor_update_vector_matches_formula():
    p = np.array([0.5, -1.0, 2.0])
    g = np.array([0.1, 0.2, -0.3])
    var = np.array([0.01, 0.02, 0.03])
    param, v1 = p.copy(), var.copy()
    optim.adafactor_update(param, g, 1, variance=v1, lr=0.01, eps1=1e-3, eps2=1e-3, d=1.0)
    # at t = 1 the running average is the squared gradient itself
    np.testing.assert_allclose(v1, g ** 2)
    u = g / np.maximum(np.abs(g), 1e-3)
    u = u / max(1.0, np.sqrt((u ** 2).mean()))
    alpha = max(1e-3, np.sqrt((p ** 2).mean())) * 0.01
    np.testing.assert_allclose(param, p - alpha * u)


# ---------------------------------------------------------------------- in-place behaviour
UPDATES = {
    "sgd": lambda p, g, s: optim.sgd_update(p, g, s[0], lr=0.1, momentum=0.9, maximize=True,
                                            weight_decay=0.1),
    "adam": lambda p, g, s: optim.adam_update(p, g, s[0], s[1], 2, lr=0.1, beta1=0.9,
                                              beta2=0.99, eps=1e-8, amsgrad=True,
                                              max_exp_avg_sq=s[2], maximize=True),
    "adamax": lambda p, g, s: optim.adamax_update(p, g, s[0], s[1], 2, lr=0.1, beta1=0.9,
                                                  beta2=0.99, eps=1e-8, maximize=True),
    "nadam": lambda p, g, s: optim.nadam_update(p, g, s[0], s[1], s[3], 2, lr=0.1, beta1=0.9,
                                                beta2=0.99, eps=1e-8, maximize=True),
    "radam": lambda p, g, s: optim.radam_update(p, g, s[0], s[1], 9, lr=0.1, beta1=0.9,
                                                beta2=0.9, eps=1e-8, maximize=True),
    "rmsprop": lambda p, g, s: optim.rmsprop_update(p, g, s[0], s[1], s[2], lr=0.1,
                                                    momentum=0.5, centered=True, maximize=True),
    "adagrad": lambda p, g, s: optim.adagrad_update(p, g, s[0], 2, lr=0.1, maximize=True),
    "adadelta": lambda p, g, s: optim.adadelta_update(p, g, s[0], s[1], maximize=True),
    "lion": lambda p, g, s: optim.lion_update(p, g, s[0], lr=0.1, maximize=True),
    "lamb": lambda p, g, s: optim.lamb_update(p, g, s[0], s[1], 2, lr=0.1, maximize=True),
    "adafactor": lambda p, g, s: optim.adafactor_update(p, g, 2, variance=s[0], maximize=True),
}


@pytest.mark.parametrize("name", sorted(UPDATES))
@pytest.mark.parametrize("shape", [(4,), ()], ids=["vector", "scalar"])
def test_update_is_in_place_keeps_float32_and_leaves_grad_alone(name, shape):
    rng = np.random.default_rng(3)
    param = rng.standard_normal(shape).astype(np.float32)
    grad = rng.standard_normal(shape).astype(np.float32)
    state = [np.array(np.abs(rng.standard_normal(shape)) * scale + 0.1, dtype=np.float32)
             for scale in (1.0, 1.0, 0.1)]        # the third is small: rmsprop's grad_avg
    state.append(np.array(0.9, np.float32))
    before, grad_before, state_before = param.copy(), grad.copy(), [s.copy() for s in state]
    view = param.reshape(-1)                          # another reference to the same memory
    UPDATES[name](param, grad, state)
    assert param.dtype == np.float32 and param.shape == shape
    assert not np.array_equal(view, before.reshape(-1)), "the update did not reach the array"
    np.testing.assert_array_equal(grad, grad_before)
    assert any(not np.array_equal(s, b) for s, b in zip(state, state_before))
    assert all(s.dtype == np.float32 for s in state)


@pytest.mark.parametrize("shape, order", [((3,), "C"), ((700, 300), "C"), ((300, 700), "F")])
def test_plain_sgd_steps_equal_p_minus_lr_g_for_small_large_and_strided_parameters(shape, order):
    """Plain SGD updates large parameters block by block through a small buffer; the result is
    the one-shot formula's, bit for bit."""
    import autograd
    import optim
    rng = np.random.default_rng(0)
    start = np.asarray(rng.standard_normal(shape), np.float32, order=order)
    grad = np.asarray(rng.standard_normal(shape), np.float32, order=order)
    p = autograd.tensor(start.copy(order=order), requires_grad=True)
    p.grad = autograd.tensor(grad)
    opt = optim.SGD([p], lr=0.01)
    opt.step()
    expected = start - np.multiply(grad, np.float32(0.01))
    np.testing.assert_array_equal(p.detach().numpy(), expected)
    np.testing.assert_array_equal(p.grad.numpy(), grad)  # the gradient is left as it was
