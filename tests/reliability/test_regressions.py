"""Shrunk failing examples found by the reliability fuzzers and probes, kept as explicit tests.

A test marked `xfail(strict=True)` pins a bug that is still open in code this suite does not
own: it fails today and starts "passing" (so the strict xfail fails) once the bug is fixed;
then remove the mark and the matching entry of `programs.KNOWN_BUGS`, which makes the fuzzers
step around the bug meanwhile.
"""
import numpy as np
import pytest

import autograd as A
import nn
import nn.functional as F

import program_checks as pc
from programs import Program, Step


def _grad(fn, x):
    x = A.tensor(x, requires_grad=True) if not isinstance(x, A.Tensor) else x
    fn(x).sum().backward()
    return x.grad.numpy()


# ---------------------------------------------------------------------- bugs found (most now fixed)
# Fixed in 04b28a3; was: autograd/ops/elementwise.py _minmax_backward: `share` is built from
# Python floats with np.where, so it is float64 and g * share upcasts float32 gradients; the
# engine then raises a dtype mismatch
@pytest.mark.parametrize("fn", [A.maximum, A.minimum,
                                lambda a, b: A.clamp(a, min=b)], ids=["maximum", "minimum",
                                                                      "clamp_tensor_min"])
def test_maximum_and_minimum_keep_float32_gradients(fn):
    a = A.tensor([0.0, 2.0, -1.0], requires_grad=True)
    b = A.tensor([1.0, 1.0, -1.0], requires_grad=True)
    fn(a, b).sum().backward()
    assert a.grad.dtype == np.float32


# found by the program fuzzer, fixed in a4349e4 (Softplus.backward upcast float32 to float64)
def test_autograd_softplus_keeps_float32_gradients():
    x = A.tensor([1.0, -2.0, 30.0], requires_grad=True)
    A.softplus(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 / (1 + np.exp(-np.array([1.0, -2.0, 30.0]))),
                               rtol=1e-6)


# Fixed in 04b28a3; was: autograd/ops/losses.py CrossEntropy.backward (line ~131) and
# NLLLoss.backward (~193) take `not isinstance(g, np.ndarray)` to mean create_graph, but on the
# first-order path a 0-d upstream gradient is often a NumPy scalar (Mul.backward of 0-d arrays
# returns np.float64): (F.cross_entropy(x, t) * 0.5).backward() raises AttributeError
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_a_scaled_fused_loss_backpropagates(loss):
    x = A.tensor([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]], requires_grad=True)
    t = A.tensor([2, 0])
    (getattr(F, loss)(x, t) * 0.5).backward()
    logp = x.detach().numpy() if loss == "nll_loss" else \
        np.log(np.exp(x.detach().numpy()) / np.exp(x.detach().numpy()).sum(1, keepdims=True))
    expected = np.zeros((2, 3))
    expected[[0, 1], [2, 0]] = -0.25
    if loss == "cross_entropy":
        expected += 0.25 * np.exp(logp)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5, atol=1e-7)


# Fixed in 04b28a3; was: nn/functional.py softplus and nn/_functional_losses.py _softplus compose
# relu(x) + log1p(exp(-|x|)); at x == 0 both relu'(0) and abs'(0) are 0, so the gradient is 0
# instead of sigmoid(0) = 0.5 (PyTorch: 0.5)
@pytest.mark.parametrize("fn", [F.softplus, nn.Softplus(),
                                lambda x: F.soft_margin_loss(-x, A.ones(2), reduction="sum")],
                         ids=["F.softplus", "nn.Softplus", "soft_margin_loss"])
def test_softplus_gradient_at_zero_is_one_half(fn):
    np.testing.assert_allclose(_grad(fn, [0.0, 0.0]), [0.5, 0.5])


# Fixed in 04b28a3; was: autograd/function.py Op.apply fast path (~line 220): for a 0-d result
# forward returns a NumPy scalar, which it saved for backward; np.asarray(out) then makes a new
# object, so the saved output is no longer `is out`, gets tag None, and under create_graph it is
# a constant: second derivatives through exp/tanh/sigmoid/sqrt of a 0-d tensor are missing, and
# through 1/x or x/y half of the right value
@pytest.mark.parametrize("fn, d2", [
    (A.exp, lambda x: np.exp(x)),
    (A.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (lambda t: 1.0 / t, lambda x: 2 / x ** 3),
], ids=["exp", "tanh", "reciprocal"])
def test_second_derivative_of_a_zero_dim_tensor(fn, d2):
    x = A.tensor(np.array(0.7), requires_grad=True)
    g, = A.grad(fn(x), x, create_graph=True)
    h, = A.grad(g, x)
    np.testing.assert_allclose(h.numpy(), d2(0.7), rtol=1e-10)


def test_second_derivative_of_a_one_element_tensor_is_right():
    # the same computations with shape (1,) instead of (): correct today
    x = A.tensor(np.array([0.7]), requires_grad=True)
    g, = A.grad((1.0 / x).sum(), x, create_graph=True)
    h, = A.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [2 / 0.7 ** 3], rtol=1e-10)


def test_double_backward_of_an_unbatched_class_loss():
    x = A.tensor(np.array([0.3, -0.2, 1.0]), requires_grad=True)
    out = F.cross_entropy(x, A.tensor(1))
    g, = A.grad(out, x, create_graph=True)
    (g * g).sum().backward()
    p = np.exp(x.detach().numpy()) / np.exp(x.detach().numpy()).sum()
    onehot = np.array([0.0, 1.0, 0.0])
    # d/dx sum((p - onehot)^2) = 2 J^T (p - onehot) with J = diag(p) - p p^T
    jac = np.diag(p) - np.outer(p, p)
    np.testing.assert_allclose(x.grad.numpy(), 2 * jac.T @ (p - onehot), rtol=1e-10)


def test_nll_loss_of_an_unbatched_input_has_a_constant_gradient():
    x = A.tensor(np.array([0.3, -0.2, 1.0]), requires_grad=True)
    g, = A.grad(F.nll_loss(x, A.tensor(1)), x, create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), [0.0, -1.0, 0.0])
    assert not g.requires_grad  # linear in x: nothing left to differentiate


# Fixed in 04b28a3; was: autograd/ops/_util.py as_tensor_operand checks isinstance(x, float)
# before np.generic, so an np.float64 scalar stays a strong NumPy scalar: float32 + np.float64
# gives a float64 result (PyTorch: float32) and its backward raises a dtype mismatch
def test_a_numpy_float64_scalar_does_not_upcast_float32():
    x = A.ones(2, requires_grad=True)
    y = x * np.float64(2.0) + np.float64(1.0)
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


# Fixed in 04b28a3; was: in-place ops on a view do not rebase the graph of the tensor it views
# (autograd/inplace.py apply_inplace only updates the view): the base's later gradient silently
# ignores the write (PyTorch: rebased)
def test_in_place_on_a_view_of_a_non_leaf_updates_the_base_gradient_or_raises():
    x = A.ones(2, 3, requires_grad=True)
    a = x * 1.0
    try:
        a[0].mul_(3.0)
    except RuntimeError as e:       # refusing is fine: a silently wrong gradient is not
        assert "view" in str(e) and "(2, 3)" in str(e)
        return
    a.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3, 3, 3], [1, 1, 1]])


# Fixed in 04b28a3; was: autograd/inplace.py _check_leaf only looks at the view's own grad_fn: an
# in-place op on a view of a leaf that requires grad silently overwrites the leaf (PyTorch raises
# RuntimeError)
def test_in_place_on_a_view_of_a_leaf_requiring_grad_raises():
    x = A.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x[0].mul_(3.0)


# Fixed in 04b28a3; was: autograd/ops/index.py index_select (line ~309) always reports idx.max()
# as the bad index, also when the bad one is a negative index below -size
def test_index_select_names_the_bad_negative_index():
    with pytest.raises(IndexError, match="-9"):
        A.index_select(A.randn(3, 4), 1, A.tensor([0, -9]))


# Fixed in 04b28a3; was: autograd/ops/_util.py normalize_dim accepts dim 0 / -1 for a 0-d tensor
# (as PyTorch) but returns axis 0, which NumPy rejects: sum/mean/logsumexp(x0d, 0) raise numpy
# AxisError (PyTorch returns x)
@pytest.mark.parametrize("fn", [A.sum, A.mean, A.logsumexp, A.amax])
def test_reducing_a_zero_dim_tensor_over_dim_0(fn):
    x = A.tensor(1.5)
    assert float(fn(x, 0)) == pytest.approx(1.5)


# Fixed in 04b28a3; was: autograd/creation.py _infer_array (line ~31) casts Python floats to the
# default dtype (float32) before tensor() applies the requested dtype, so tensor([0.7],
# dtype=float64) holds 0.699999988079071 (PyTorch: 0.7); float64 work built from lists silently
# has float32 precision
@pytest.mark.parametrize("data", [[0.7], 0.7, [[0.1, 1e-50]]], ids=["list", "scalar", "nested"])
def test_tensor_from_python_floats_in_float64_is_exact(data):
    np.testing.assert_array_equal(A.tensor(data, dtype=A.float64).numpy(), np.array(data))


# Fixed in 04b28a3; was: autograd/ops/reduce.py LogSumExp.backward computes exp(x - out) with out
# = logsumexp(x) rounded to float32 at the scale of max|x|: at |x| = 1e4 the gradient (the
# softmax) is off by 4e-4 relative; exp(x - max) / sum(exp(x - max)) (saved or recomputed) is
# exact to an ulp
def test_logsumexp_gradient_is_the_softmax_at_large_logits():
    x = A.tensor(np.full((2, 4), 1e4, np.float32), requires_grad=True)
    A.logsumexp(x, 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 4), 0.25), rtol=1e-6)


# Fixed in 04b28a3; was: nn/normalization.py GroupNorm.__init__: the message 'num_channels must
# be divisible by num_groups' names neither value (F.group_norm's does)
def test_group_norm_constructor_names_channels_and_groups():
    with pytest.raises(ValueError, match="(?=.*\\b3\\b)(?=.*\\b2\\b)"):
        nn.GroupNorm(2, 3)


# Fixed in 04b28a3; was: nn/module.py load_state_dict checks shapes before types: a str value is
# reported as 'size mismatch ... shape ()' instead of naming its type
def test_load_state_dict_names_a_value_of_the_wrong_type():
    m = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match="weight.*str"):
        m.load_state_dict({"weight": "abc", "bias": m.state_dict()["bias"]})


# Fixed in 71f428b; was: autograd/ops/linalg.py Einsum.backward: a subscript repeated within one
# operand (a trace or diagonal) is documented as not differentiable, but nothing raises:
# einsum('ii->', x) gets the gradient ones((3, 3)) instead of eye(3), silently
def test_einsum_trace_gradient_is_the_identity_or_raises():
    x = A.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    try:
        A.einsum("ii->", x).backward()
    except (RuntimeError, NotImplementedError, ValueError):
        return  # raising is acceptable; a wrong gradient is not
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(3))


# Fixed in 71f428b; was: autograd/ops/linalg.py Einsum.backward: an operand whose size-1 dim
# broadcasts against another operand's (accepted by einsum's size check, and by NumPy) gets a
# gradient of the broadcast shape that _expand_subscripts cannot reshape: ValueError 'cannot
# reshape array of size 6 into shape (1,3)' (PyTorch sums over the broadcast dim)
def test_einsum_gradient_of_a_broadcast_operand():
    a = A.tensor(np.ones((2, 3)), requires_grad=True)
    b = A.tensor(np.arange(3.0).reshape(1, 3), requires_grad=True)
    A.einsum("ij,ij->i", a, b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [[2.0, 2.0, 2.0]])


def test_bce_with_logits_of_a_confident_negative_keeps_its_small_loss():
    x = A.tensor(np.array([-20.0, -30.0], np.float32))
    loss = F.binary_cross_entropy_with_logits(x, A.zeros(2), reduction="none")
    np.testing.assert_allclose(loss.numpy(), np.logaddexp(0, [-20.0, -30.0]), rtol=1e-5)


# ---------------------------------------------------------------------- fixed or guarded
# Shrunk programs that failed while the fuzzers were written (see the bugs above).
REGRESSION_PROGRAMS = {
    "maximum_of_a_shifted_copy_in_float32": Program(
        inputs=(0.0,),
        steps=(Step("input", (), (("i", 0),)),
               Step("maximum", (0, 0), (("c", -4.0),)))),
    "norm1_with_a_large_shift": Program(
        inputs=((0.0,), 0.0),
        steps=(Step("input", (), (("i", 0),)), Step("input", (), (("i", 1),)),
               Step("norm", (0,), (("c", -4.0), ("dim", None), ("keepdim", False),
                                   ("p", 1))))),
    "div_by_a_shifted_self": Program(
        inputs=((0.0,),),
        steps=(Step("input", (), (("i", 0),)),
               Step("div", (0, 0), (("c", 0.401),)))),
    "unbatched_nll_of_a_sum": Program(
        inputs=((0.0,),),
        steps=(Step("input", (), (("i", 0),)), Step("add", (0, 0), ()),
               Step("class_loss", (1,), (("reduction", "mean"), ("smoothing", 0.0),
                                         ("target", 0), ("weight", None), ("which", "nll"))))),
    "cross_entropy_of_one_class": Program(
        inputs=((0.0,),),
        steps=(Step("input", (), (("i", 0),)),
               Step("class_loss", (0,), (("reduction", "mean"), ("smoothing", 0.0),
                                         ("target", 0), ("weight", None),
                                         ("which", "cross_entropy"))))),
    # a tie the fuzzer's own distinct_spread used to create (x + s = [0.2, 0.2, 0.4])
    "min_over_a_spread_without_ties": Program(
        inputs=((0.2, 0.0, 0.0),),
        steps=(Step("input", (), (("i", 0),)),
               Step("max_dim", (0,), (("dim", 0), ("keepdim", True), ("largest", False),
                                      ("spread", (0.0, 0.4, 0.8)))))),
    "prod_of_one_element": Program(
        inputs=((0.0,),),
        steps=(Step("input", (), (("i", 0),)), Step("add", (0, 0), ()),
               Step("prod", (1,), (("c", -2.0), ("dim", 0), ("keepdim", True), ("s", 1.0))))),
}


@pytest.mark.parametrize("name", sorted(REGRESSION_PROGRAMS))
def test_regression_program(name):
    pc.check_program(REGRESSION_PROGRAMS[name], second_order=True)
