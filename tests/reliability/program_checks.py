"""The properties every random program must have (used by the fuzzers and the regression tests).

Tolerances (documented in the README's reliability section):
* float64 value vs the NumPy reference: |a - r| <= 1e-9 * (1 + |r|).
* first order: autograd.gradcheck (eps 1e-6, atol 1e-5, rtol 1e-3, full Jacobian), plus an
  independent directional derivative (f(x + h u) - f(x - h u)) / 2h vs <grad, u>.
* second order: autograd.gradgradcheck, plus an independent Hessian-vector product: the
  create_graph gradient of <grad, u> vs (grad(x + h u) - grad(x - h u)) / 2h.
* float32 vs float64 (same program, same inputs): value and every gradient element within
  FLOAT32_RTOL * (1 + the largest magnitude of the float64 value / gradient).
* determinism: two runs give bitwise identical values and gradients.
"""
import numpy as np

import autograd as A
from autograd.gradcheck import gradcheck, gradgradcheck

from programs import leaves_for, numpy_output, run_autograd

FLOAT32_RTOL = 2e-4
H = 1e-6


def _value_and_grads(program, dtype, inputs=None):
    leaves = leaves_for(program, dtype, inputs)
    out = run_autograd(program, leaves)
    grads = A.grad(out, leaves, allow_unused=True)
    return (out.detach().numpy().copy(),
            [np.zeros(x.shape) if g is None else g.detach().numpy().copy()
             for x, g in zip(leaves, grads)])


def check_value(program):
    ref = numpy_output(program)
    got = float(run_autograd(program, leaves_for(program)).detach().numpy())
    assert abs(got - ref) <= 1e-9 * (1 + abs(ref)), f"value {got!r} vs NumPy reference {ref!r}"


def check_first_order(program):
    leaves = leaves_for(program)
    assert gradcheck(lambda *xs: run_autograd(program, xs), tuple(leaves), eps=H, atol=1e-5,
                     rtol=1e-3)
    # an independent directional derivative
    _, grads = _value_and_grads(program, np.float64)
    rng = np.random.default_rng(0)
    xs = program.input_arrays
    us = [rng.standard_normal(x.shape) for x in xs]
    plus = numpy_output(program, [x + H * u for x, u in zip(xs, us)])
    minus = numpy_output(program, [x - H * u for x, u in zip(xs, us)])
    numerical = (plus - minus) / (2 * H)
    analytical = sum(float((g * u).sum()) for g, u in zip(grads, us))
    assert abs(analytical - numerical) <= 1e-5 + 1e-3 * abs(numerical), \
        f"directional derivative: analytical {analytical!r}, numerical {numerical!r}"


def check_second_order(program):
    leaves = leaves_for(program)
    assert gradgradcheck(lambda *xs: run_autograd(program, xs), tuple(leaves), eps=H, atol=1e-5,
                         rtol=1e-3)
    # an independent Hessian-vector product
    rng = np.random.default_rng(1)
    xs = program.input_arrays
    us = [rng.standard_normal(x.shape) for x in xs]
    out = run_autograd(program, leaves)
    grads = A.grad(out, leaves, create_graph=True, allow_unused=True)
    dot = sum((g * A.tensor(u)).sum() for g, u in zip(grads, us) if g is not None)
    if not isinstance(dot, A.Tensor) or not dot.requires_grad:
        return  # the program is linear in its inputs
    hvp = A.grad(dot, leaves, allow_unused=True)
    hvp = [np.zeros(x.shape) if h is None else h.detach().numpy() for x, h in zip(xs, hvp)]
    _, gp = _value_and_grads(program, np.float64, [x + H * u for x, u in zip(xs, us)])
    _, gm = _value_and_grads(program, np.float64, [x - H * u for x, u in zip(xs, us)])
    for k, (h, a, b) in enumerate(zip(hvp, gp, gm)):
        numerical = (a - b) / (2 * H)
        bad = np.abs(h - numerical) > 1e-4 + 1e-3 * np.abs(numerical)
        assert not bad.any(), (f"Hessian-vector product of input {k}: create_graph gives "
                               f"{h[bad]}, finite differences of the gradient {numerical[bad]}")


def check_float32(program):
    v64, g64 = _value_and_grads(program, np.float64)
    v32, g32 = _value_and_grads(program, np.float32)
    assert v32.dtype == np.float32 and all(g.dtype == np.float32 for g in g32)
    tol = FLOAT32_RTOL * (1 + abs(float(v64)))
    assert abs(float(v32) - float(v64)) <= tol, f"float32 value {v32!r} vs float64 {v64!r}"
    for k, (a, b) in enumerate(zip(g32, g64)):
        if b.size == 0:
            continue
        tol = FLOAT32_RTOL * (1 + float(np.abs(b).max()))
        err = np.abs(a - b)
        assert err.max() <= tol, (f"float32 gradient of input {k} differs from float64 by "
                                  f"{err.max():.3g} (tolerance {tol:.3g}): {a} vs {b}")


def check_deterministic(program):
    for dtype in (np.float64, np.float32):
        v1, g1 = _value_and_grads(program, dtype)
        v2, g2 = _value_and_grads(program, dtype)
        assert v1.tobytes() == v2.tobytes(), "two runs gave different values"
        for a, b in zip(g1, g2):
            assert a.tobytes() == b.tobytes(), "two runs gave different gradients"


def check_engine_paths(program):
    """The same gradient through every route the engine offers: autograd.grad, .backward()
    accumulation (twice with retain_graph: exactly double), backward(inputs=...) filling only
    the chosen leaf, a leaf hook doubling its gradient, and create_graph=True."""
    leaves = leaves_for(program)
    out = run_autograd(program, leaves)
    ref = [np.zeros(x.shape) if g is None else g.numpy().copy()
           for x, g in zip(leaves, A.grad(out, leaves, retain_graph=True, allow_unused=True))]
    used = [g is not None for g in A.grad(out, leaves, retain_graph=True, allow_unused=True)]
    out.backward(retain_graph=True)
    once = [np.zeros(x.shape) if x.grad is None else x.grad.numpy().copy() for x in leaves]
    out.backward()
    twice = [np.zeros(x.shape) if x.grad is None else x.grad.numpy().copy() for x in leaves]
    for k, (r, a, b) in enumerate(zip(ref, once, twice)):
        assert a.tobytes() == r.tobytes(), f"backward() and grad() differ for input {k}"
        assert b.tobytes() == (2 * r).tobytes(), f"second backward did not add exactly, input {k}"
    # only the requested leaf, and hooks
    leaves = leaves_for(program)
    out = run_autograd(program, leaves)
    k = next((i for i, u in enumerate(used) if u), None)
    if k is None:
        return
    handle = leaves[k].register_hook(lambda g: g * 2.0)
    out.backward(inputs=[leaves[k]], create_graph=True)
    handle.remove()
    assert all(x.grad is None for i, x in enumerate(leaves) if i != k)
    got = leaves[k].grad
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.detach().numpy(), 2 * ref[k], rtol=1e-12, atol=1e-300,
                               err_msg=f"hooked create_graph backward of input {k}")


def check_program(program, second_order=False):
    """Every property of one program (the regression tests call this)."""
    check_value(program)
    check_first_order(program)
    check_float32(program)
    check_deterministic(program)
    if second_order:
        check_second_order(program)
