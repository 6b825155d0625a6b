"""gradcheck and gradgradcheck: they pass on correct ops and catch planted bugs, with messages
that name the input, the element and both values."""
import re
import sys

import numpy as np
import pytest

import autograd
from autograd.function import Op
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from custom_functions import Cube


def _leaf(shape, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return autograd.tensor(rng.uniform(0.5, 1.5, shape).astype(dtype), requires_grad=True)


def _value(message, label):
    """The number printed after `label:` in a gradcheck message."""
    return float(re.search(label + r":\s+(\S+)", message).group(1))


# ---------------------------------------------------------------------- planted bugs
class WrongSign(autograd.Function):
    """x**2 whose backward has the wrong sign."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -2 * x * g


class TransposedGradient(autograd.Function):
    """2 a, whose backward returns the gradient transposed: a shape no broadcast explains."""

    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return (g * 2).T


class MutatesUpstream(autograd.Function):
    """2 x, with the right gradient, computed by doubling the upstream gradient in place."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        g.mul_(2)
        return g


class Float32Gradient(autograd.Function):
    """2 x whose backward returns float32 whatever the input dtype."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return (g * 2).float()


class AffineInUpstream(autograd.Function):
    """The identity whose backward adds a constant (so it is not linear in g)."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return g + 1e-2


class MutatesSavedInput(autograd.Function):
    """x**2 with the right gradient, whose backward scribbles over the saved input."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        gx = 2 * x * g
        x.numpy()[...] *= 0.5  # behind the version counter's back
        return gx


_calls = [0]


class NotRepeatable(autograd.Function):
    """2 x whose backward drifts by 1e-9 per call (linear, nearly right, not repeatable)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        _calls[0] += 1
        return g * (2 + 1e-9 * _calls[0])


class OneBadElement(autograd.Function):
    """a * b whose gradient for b is 25% too large at element (1, 0) only."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        factor = np.ones(b.shape)
        factor[1, 0] = 1.25
        return g * b, g * a * autograd.tensor(factor)


class CubeWithDetachedBackward(Cube):
    """x**3 with a right first derivative that is not differentiable (detached x)."""

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        x = x.detach()
        return 3 * x * x * g


class WrongSignExpOp(Op):
    """A built-in (array-level) op: exp with the wrong sign in backward."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        return -g * out


def test_gradcheck_passes_a_correct_function_of_two_broadcast_inputs():
    a, b = _leaf((2, 3)), _leaf((3,), seed=1)
    assert gradcheck(lambda x, y: (x * y).exp() / (y + 1.0), (a, b))


def test_gradcheck_catches_a_wrong_sign_and_names_input_element_and_values():
    x = autograd.tensor([[0.5, 1.0], [1.5, 2.0]], dtype=autograd.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongSign.apply, (x,))
    msg = str(info.value)
    assert "input 0" in msg and "element (0, 0)" in msg
    # d(x**2)/dx at x = 0.5 is 1.0; the planted backward says -1.0
    assert _value(msg, "analytical") == -1.0
    assert _value(msg, "numerical") == pytest.approx(1.0, rel=1e-6)


def test_gradcheck_catches_a_wrong_sign_in_a_builtin_array_level_op():
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(WrongSignExpOp.apply, (_leaf((3,)),))


def test_gradcheck_returns_false_instead_of_raising_when_asked():
    assert gradcheck(WrongSign.apply, (_leaf((2,)),), raise_exception=False) is False


def test_gradcheck_catches_a_gradient_of_the_wrong_shape_naming_both_shapes():
    with pytest.raises(GradcheckError) as info:
        gradcheck(TransposedGradient.apply, (_leaf((2, 3)),))
    assert "(3, 2)" in str(info.value) and "(2, 3)" in str(info.value)


def test_gradcheck_catches_a_backward_that_mutates_the_upstream_gradient():
    with pytest.raises(GradcheckError, match="upstream gradient of output 0 in place"):
        gradcheck(MutatesUpstream.apply, (_leaf((3,)),))


def test_gradcheck_catches_a_float32_gradient_for_a_float64_input():
    with pytest.raises(GradcheckError) as info:
        gradcheck(Float32Gradient.apply, (_leaf((3,)),))
    assert "float32" in str(info.value) and "float64" in str(info.value)


def test_gradcheck_catches_a_backward_that_is_not_linear_in_the_upstream_gradient():
    with pytest.raises(GradcheckError, match="not linear in the upstream gradient"):
        gradcheck(AffineInUpstream.apply, (_leaf((3,)),))


def test_gradcheck_catches_a_backward_that_modifies_an_input_in_place():
    with pytest.raises(GradcheckError, match="input 0 was modified in place"):
        gradcheck(MutatesSavedInput.apply, (_leaf((3,)),))


def test_gradcheck_catches_a_backward_that_is_not_repeatable_unless_tolerated():
    with pytest.raises(GradcheckError, match="not repeatable"):
        gradcheck(NotRepeatable.apply, (_leaf((3,)),))
    assert gradcheck(NotRepeatable.apply, (_leaf((3,)),), nondet_tol=1e-6)


def test_gradcheck_names_the_one_wrong_element_of_the_second_input():
    a, b = _leaf((2, 2)), _leaf((2, 2), seed=1)
    with pytest.raises(GradcheckError) as info:
        gradcheck(OneBadElement.apply, (a, b))
    msg = str(info.value)
    assert "with respect to input 1" in msg and "input element (1, 0)" in msg
    right = float(a.detach().numpy()[1, 0])  # d(a*b)/db at (1, 0) is a[1, 0]
    assert _value(msg, "analytical") == pytest.approx(1.25 * right, rel=1e-12)
    assert _value(msg, "numerical") == pytest.approx(right, rel=1e-6)
    assert "1 of 16 Jacobian entries" in msg


def test_gradcheck_catches_a_graph_cut_by_detach():
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(lambda x: x * x.detach(), (_leaf((3,)),))
    with pytest.raises(GradcheckError, match="no output of fn requires grad"):
        gradcheck(lambda x: x.detach() * 2, (_leaf((3,)),))


def test_gradcheck_accepts_a_function_that_is_constant_in_its_inputs():
    assert gradcheck(lambda x: autograd.ones(3, dtype=autograd.float64), (_leaf((3,)),))


def test_gradcheck_uses_random_projections_in_fast_mode_and_still_names_an_element():
    x = _leaf((4, 5))
    assert gradcheck(lambda t: (t.sin() * t).sum(dim=1), (x,), fast_mode=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongSign.apply, (x,), fast_mode=True)
    msg = str(info.value)
    assert "random projection" in msg and "input 0" in msg and "input element (" in msg


def test_gradcheck_switches_to_projections_for_large_inputs(monkeypatch):
    monkeypatch.setattr(sys.modules["autograd.gradcheck"], "FULL_JACOBIAN_MAX_ELEMENTS", 4)
    with pytest.raises(GradcheckError, match="random projection"):
        gradcheck(WrongSign.apply, (_leaf((3, 2)),))


def test_gradcheck_checks_in_float64_on_copies_of_float32_inputs():
    x = _leaf((3,), dtype=np.float32)
    before = x.detach().numpy().copy()
    assert gradcheck(lambda t: t.exp() * t, (x,))
    assert x.dtype == autograd.float32 and x.grad is None
    np.testing.assert_array_equal(x.detach().numpy(), before)


def test_gradcheck_passes_through_non_tensor_arguments_and_ignores_integer_outputs():
    x = _leaf((2, 3))
    assert gradcheck(lambda t, dim: tuple(autograd.max(t, dim)), (x, 1))


def test_gradcheck_checks_every_output_of_a_multi_output_function():
    x = _leaf((4,))
    assert gradcheck(lambda t: autograd.split(t * t, 2), (x,))


def test_gradcheck_refuses_inputs_none_of_which_require_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2, (autograd.ones(2, dtype=autograd.float64),))


def test_gradcheck_accepts_a_single_tensor_instead_of_a_tuple():
    assert gradcheck(lambda t: t.tanh(), _leaf((2,)))


def test_gradcheck_refuses_forward_mode_checks():
    with pytest.raises(NotImplementedError):
        gradcheck(lambda t: t, (_leaf((2,)),), check_forward_ad=True)


# ---------------------------------------------------------------------- second order
def test_gradgradcheck_passes_a_correct_function():
    a, b = _leaf((2, 3)), _leaf((3,), seed=1)
    assert gradgradcheck(lambda x, y: (x * y).sin() + x / y, (a, b))


def test_gradgradcheck_catches_a_first_derivative_that_is_right_but_not_differentiable():
    x = _leaf((3,))
    assert gradcheck(CubeWithDetachedBackward.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(CubeWithDetachedBackward.apply, (x,))


def test_gradgradcheck_catches_a_backward_that_differs_under_create_graph():
    class CubeWrongWhenRecorded(Cube):
        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            k = 2.5 if autograd.is_grad_enabled() else 3.0  # wrong only when recorded
            return k * x * x * g

    x = _leaf((3,))
    assert gradcheck(CubeWrongWhenRecorded.apply, (x,))
    with pytest.raises(GradcheckError, match="create_graph=True differs"):
        gradgradcheck(CubeWrongWhenRecorded.apply, (x,))


def test_gradgradcheck_uses_the_given_grad_outputs():
    x = _leaf((3,))
    v = autograd.tensor([1.0, -2.0, 0.5], dtype=autograd.float64)
    assert gradgradcheck(lambda t: t ** 3, (x,), grad_outputs=(v,))
    with pytest.raises(ValueError, match="grad_outputs"):
        gradgradcheck(lambda t: t ** 3, (x,), grad_outputs=(v, v))


def test_gradgradcheck_in_fast_mode():
    assert gradgradcheck(lambda t: (t * t).exp().sum(dim=0), (_leaf((3, 2)),), fast_mode=True)
