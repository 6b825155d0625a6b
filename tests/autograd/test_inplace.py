"""In-place ops: refused on leaves that require grad, recorded on other tensors, and guarded by
version counters."""
import numpy as np
import pytest

import autograd


def _leaf(values=(1.0, 2.0)):
    return autograd.tensor(list(values), requires_grad=True)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_"])
def test_in_place_arithmetic_on_a_leaf_that_requires_grad_raises(op):
    x = _leaf()
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(x, op)(2.0)


@pytest.mark.parametrize("call", [lambda x: x.zero_(), lambda x: x.fill_(1.0),
                                  lambda x: x.clamp_(0.0, 1.0), lambda x: x.copy_(x.detach()),
                                  lambda x: x.__setitem__(0, 5.0)])
def test_other_in_place_ops_on_a_leaf_that_requires_grad_raise(call):
    with pytest.raises(RuntimeError, match="leaf"):
        call(_leaf())


def test_in_place_updates_of_a_leaf_are_allowed_under_no_grad():
    x = _leaf()
    with autograd.no_grad():
        x.sub_(0.5).mul_(2.0)
    assert x.tolist() == [1.0, 3.0] and x.requires_grad and x.is_leaf


def test_in_place_ops_on_a_non_leaf_are_recorded():
    x = _leaf()
    y = x * 2.0
    y.add_(1.0)
    y.mul_(3.0)  # y = 3 (2x + 1)
    y.sum().backward()
    assert y.tolist() == [9.0, 15.0]
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_setitem_on_a_non_leaf_routes_the_gradient():
    x = _leaf((1.0, 2.0, 3.0))
    v = autograd.tensor([10.0], requires_grad=True)
    y = x * 1.0
    y[1:2] = v * 2.0
    (y * autograd.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 3.0])  # overwritten: no gradient
    np.testing.assert_array_equal(v.grad.numpy(), [4.0])


def test_copy_sends_the_gradient_to_the_source():
    src = _leaf((3.0, 4.0))
    y = autograd.zeros(2) * 1.0
    y.copy_(src * 2.0)
    y.sum().backward()
    np.testing.assert_array_equal(src.grad.numpy(), [2.0, 2.0])


def test_in_place_ops_bump_the_version_counter():
    x = autograd.zeros(2)
    v0 = x._version
    x.add_(1.0)
    x.mul_(2.0)
    assert x._version == v0 + 2 and x.tolist() == [2.0, 2.0]


def test_views_share_the_version_counter_with_their_base():
    x = _leaf((1.0, 2.0, 3.0))
    y = x * 1.0
    view = y[1:]
    s = view.sin()  # Sin saves its input, the view; the base is modified below
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.sum().backward()


def test_a_modified_saved_tensor_makes_backward_raise_naming_the_ops():
    x = _leaf()
    w = x * 1.0
    out = w * w  # Mul saves both inputs
    w.add_(1.0)
    with pytest.raises(RuntimeError) as info:
        out.sum().backward()
    assert "MulBackward" in str(info.value) and "add_" in str(info.value)


def test_in_place_on_a_tensor_not_saved_by_anyone_is_fine():
    x = _leaf()
    y = x + 1.0  # Add saves nothing
    y.add_(1.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_in_place_results_keep_the_dtype_and_refuse_float_into_int():
    x = autograd.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(autograd.tensor([0.5, 0.5]))
    f = autograd.tensor([1.0, 2.0])
    f.mul_(2)
    assert f.dtype == autograd.float32 and f.tolist() == [2.0, 4.0]
