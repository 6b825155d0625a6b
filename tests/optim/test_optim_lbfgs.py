"""L-BFGS: iterates against a NumPy re-implementation of the two-loop recursion (Nocedal &
Wright, Algorithms 7.4 and 7.5, fixed step), convergence with the strong-Wolfe line search,
exact resume from a state dict, and argument errors."""
import numpy as np
import pytest

import autograd
import optim

rng = np.random.default_rng(0)
A = rng.standard_normal((6, 4))
B = rng.standard_normal(6)
W0 = rng.standard_normal(4)


def objective_np(w):
    """Least squares plus a quartic term, and its gradient."""
    r = A @ w - B
    return r @ r + 0.1 * np.sum(w ** 4), 2 * A.T @ r + 0.4 * w ** 3


def make(w0=W0, **kwargs):
    w = autograd.tensor(w0.copy(), requires_grad=True)
    a, b = autograd.tensor(A), autograd.tensor(B)
    opt = optim.LBFGS([w], **kwargs)

    def closure():
        opt.zero_grad()
        r = a @ w - b
        loss = (r * r).sum() + (w ** 4).sum() * 0.1
        loss.backward()
        return loss
    return w, opt, closure


def reference_lbfgs(w, iterations, lr, history_size):
    """Fixed-step L-BFGS: direction by the two-loop recursion with H0 = (s'y / y'y) I, first
    step min(1, 1 / |g|_1) * lr, curvature pairs kept only when s'y > 1e-10."""
    f, g = objective_np(w)
    pairs = []
    gamma = 1.0
    d = t = g_prev = None
    for k in range(iterations):
        if k == 0:
            d = -g
        else:
            s, y = t * d, g - g_prev
            if s @ y > 1e-10:
                pairs = (pairs + [(s, y)])[-history_size:]
                gamma = (s @ y) / (y @ y)
            q = g.copy()
            alphas = []
            for s_i, y_i in reversed(pairs):
                alpha = (s_i @ q) / (y_i @ s_i)
                alphas.append(alpha)
                q = q - alpha * y_i
            r = gamma * q
            for (s_i, y_i), alpha in zip(pairs, reversed(alphas)):
                beta = (y_i @ r) / (y_i @ s_i)
                r = r + s_i * (alpha - beta)
            d = -r
        t = min(1.0, 1.0 / np.abs(g).sum()) * lr if k == 0 else lr
        g_prev = g
        w = w + t * d
        f, g = objective_np(w)
    return w


def test_fixed_step_iterates_match_the_two_loop_recursion():
    w, opt, closure = make(lr=0.2, max_iter=12, history_size=3, tolerance_change=0.0,
                           tolerance_grad=0.0)
    opt.step(closure)
    # max_iter iterations move the weights max_iter times
    np.testing.assert_allclose(w._data, reference_lbfgs(W0, 12, 0.2, 3), rtol=1e-10)
    assert opt.state[w]["n_iter"] == 12
    assert opt.state[w]["func_evals"] == 12


def test_strong_wolfe_finds_the_minimum():
    w, opt, closure = make(lr=1, max_iter=100, line_search_fn="strong_wolfe",
                           tolerance_grad=1e-10, tolerance_change=1e-14)
    first = opt.step(closure).item()
    f, g = objective_np(w._data)
    assert f < first
    assert np.abs(g).max() < 1e-6


def test_rosenbrock_converges_with_line_search():
    x = autograd.tensor([-1.5, 2.0], requires_grad=True)
    opt = optim.LBFGS([x], lr=1, max_iter=200, line_search_fn="strong_wolfe",
                      tolerance_grad=1e-12, tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss
    opt.step(closure)
    np.testing.assert_allclose(x._data, [1.0, 1.0], atol=1e-6)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_resume_from_state_dict_continues_identically(line_search_fn):
    kwargs = dict(lr=0.5, max_iter=3, history_size=4, line_search_fn=line_search_fn)
    w, opt, closure = make(**kwargs)
    for _ in range(2):
        opt.step(closure)
    sd = opt.state_dict()
    assert {"d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
            "prev_loss", "n_iter", "func_evals"} <= set(sd["state"][0])
    assert all(isinstance(v, autograd.Tensor) for v in sd["state"][0]["old_dirs"])
    w2, opt2, closure2 = make(w._data, **kwargs)
    opt2.load_state_dict(sd)
    for _ in range(2):
        opt.step(closure)
        opt2.step(closure2)
    np.testing.assert_array_equal(w2._data, w._data)


def test_lbfgs_argument_errors():
    w = autograd.tensor([1.0], requires_grad=True)
    v = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups.*2 groups"):
        optim.LBFGS([{"params": [w]}, {"params": [v]}])
    with pytest.raises(ValueError, match="strong_wolfe.*'armijo'"):
        optim.LBFGS([w], line_search_fn="armijo")
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS([w], lr=-1)
    with pytest.raises(RuntimeError, match="closure"):
        optim.LBFGS([w]).step()
