"""Registry-driven gradient tests: every op against central finite differences in float64.

One Hypothesis test case per registered op for first derivatives (`gradcheck`: full Jacobian,
gradient shape and dtype, linearity in the upstream gradient, repeatability, no mutation) and
one for second derivatives (`gradgradcheck`) over every spec whose `double_backward` is set.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd.testing import registry
from autograd.testing.properties import check_double_backward, check_gradients

DOUBLE = [s for s in registry.specs() if s.double_backward]
# ~90 ops x 3 tests must stay within the suite's time budget: half the profile's examples for
# first derivatives, a quarter for second derivatives (a backward pass per Jacobian row on a
# graph twice the size), never fewer than 5.
_half = settings(max_examples=max(5, settings().max_examples // 2))
_fewer = settings(max_examples=max(5, settings().max_examples // 4))


def _over(specs):
    """One test case per spec, named family-op (every registered op, so none can be missed)."""
    return pytest.mark.parametrize("name", [s.name for s in specs],
                                   ids=[f"{s.family}-{s.name}" for s in specs])


def test_double_backward_is_off_only_with_a_reason():
    for spec in registry.specs(double_backward=False):
        assert spec.notes, f"{spec.name}: double_backward=False needs a reason in notes"


@_over(registry.specs())
@_half
@given(data=st.data())
def test_gradients_match_finite_differences(name, data):
    spec = registry.get(name)
    arrays, kwargs = data.draw(spec.inputs(), label="inputs")
    check_gradients(spec, arrays, kwargs)


@_over(DOUBLE)
@_fewer
@given(data=st.data())
def test_second_derivatives_match_finite_differences(name, data):
    spec = registry.get(name)
    arrays, kwargs = data.draw(spec.inputs(), label="inputs")
    check_double_backward(spec, arrays, kwargs)


# ---------------------------------------------------------------------- core bugs: regressions and known
def test_bce_with_logits_second_derivative_at_a_zero_logit():
    # regression: softplus(-x) recorded as log1p(exp(-|x|)) + relu(-x) had derivative 0 at 0
    from autograd.ops import losses
    x = autograd.tensor(np.zeros(1), requires_grad=True)
    y = autograd.tensor(np.zeros(1))
    w = autograd.tensor(np.ones(1), requires_grad=True)
    pw = autograd.tensor(np.ones(1), requires_grad=True)
    loss = losses.binary_cross_entropy_with_logits(x, y, w, pw, "sum")
    _, gw, _ = autograd.grad(loss, (x, w, pw), create_graph=True)
    # gw = (1 - y) x + softplus(-x) (y = 0, pw = 1), so d gw / dx = 1 - sigmoid(-x) = 1/2 at 0
    dgw_dx, = autograd.grad(gw.sum(), x)
    assert float(dgw_dx) == pytest.approx(0.5)


def test_cross_entropy_of_an_unbatched_input_has_a_second_derivative():
    # regression: a 0-d target made the op save a NumPy bool scalar, which broke double backward
    from autograd.ops import losses
    x = autograd.tensor(np.array([0.5, -0.5, 1.0]), requires_grad=True)
    loss = losses.cross_entropy(x, np.array(2), None, -100, 0.0, "mean")
    g, = autograd.grad(loss, x, create_graph=True)
    h, = autograd.grad(g[0], x)
    p = np.exp([0.5, -0.5, 1.0]) / np.exp([0.5, -0.5, 1.0]).sum()
    np.testing.assert_allclose(h.numpy(), p[0] * (np.eye(3)[0] - p), rtol=1e-10)
