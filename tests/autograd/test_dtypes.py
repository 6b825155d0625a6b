"""Dtypes: float32 by default and kept through every op (Python scalars never upcast), PyTorch's
promotion rules, and gradients in the dtype of their tensor."""
import numpy as np
import pytest

import autograd


def _f32(values):
    return autograd.tensor(values, requires_grad=True)


def test_python_floats_and_lists_become_float32_and_float64_arrays_stay_float64():
    assert autograd.tensor(1.5).dtype == autograd.float32
    assert autograd.tensor([1.0, 2.0]).dtype == autograd.float32
    assert autograd.tensor(np.array([1.0])).dtype == autograd.float64
    assert autograd.tensor([1, 2]).dtype == autograd.int64
    assert autograd.tensor([True]).dtype == autograd.bool


def test_promotion_follows_pytorch():
    i = autograd.tensor([1, 2])
    f32 = autograd.tensor([1.0, 2.0])
    f64 = autograd.tensor(np.array([1.0, 2.0]))
    assert (i * 2.5).dtype == autograd.float32
    assert (i * 2).dtype == autograd.int64
    assert (f32 + f64).dtype == autograd.float64
    assert (f32 + i).dtype == autograd.float32
    assert (f32 * np.float64(2.0)).dtype == autograd.float32  # NumPy scalars are weak too
    assert (i / 2).dtype == autograd.float32
    assert autograd.exp(i).dtype == autograd.float32


def test_integer_and_bool_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        autograd.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        autograd.tensor([True]).requires_grad_()


_FLOAT32_CHAIN = [
    ("add", lambda x: x + 2.5), ("radd", lambda x: 2.5 + x), ("sub", lambda x: x - 1.5),
    ("rsub", lambda x: 1.5 - x), ("mul", lambda x: x * 0.1), ("div", lambda x: x / 3.0),
    ("rdiv", lambda x: 3.0 / x), ("pow", lambda x: x ** 2.5), ("rpow", lambda x: 2.0 ** x),
    ("exp", lambda x: x.exp()), ("log", lambda x: x.log()), ("sqrt", lambda x: x.sqrt()),
    ("rsqrt", lambda x: x.rsqrt()), ("tanh", lambda x: x.tanh()),
    ("sigmoid", lambda x: x.sigmoid()), ("erf", lambda x: x.erf()),
    ("clamp", lambda x: x.clamp(0.5, 1.5)), ("lerp", lambda x: x.lerp(x * 2, 0.25)),
    ("maximum", lambda x: autograd.maximum(x, x * 0.5)), ("abs", lambda x: x.abs()),
    ("mean", lambda x: x.mean()), ("var", lambda x: x.var()), ("std", lambda x: x.std()),
    ("norm", lambda x: x.norm()), ("logsumexp", lambda x: x.logsumexp(0)),
    ("prod", lambda x: x.prod()), ("softmax", lambda x: x.softmax(0)),
    ("log_softmax", lambda x: x.log_softmax(0)), ("softplus", lambda x: autograd.softplus(x)),
    ("logsigmoid", lambda x: autograd.logsigmoid(x)), ("where", lambda x: autograd.where(
        x > 1.0, x, 0.5)), ("matmul", lambda x: x @ x), ("cumsum", lambda x: x.cumsum(0)),
    ("masked_fill", lambda x: x.masked_fill(x > 1.0, 0.5)),
]


@pytest.mark.parametrize("name,fn", _FLOAT32_CHAIN, ids=[n for n, _ in _FLOAT32_CHAIN])
def test_float32_stays_float32_through_each_op_with_python_scalars_and_in_its_gradient(name, fn):
    x = _f32([0.5, 1.25, 2.0])
    y = fn(x)
    assert y.dtype == autograd.float32, f"{name} returned {y.dtype}"
    y.sum().backward()
    assert x.grad.dtype == autograd.float32


def test_float32_stays_float32_through_a_long_chain_with_scalars():
    x = _f32([0.5, 1.5])
    y = x
    for _ in range(10):
        y = (y * 1.01 + 0.5).tanh() / 1.5 - 0.1
    loss = (y ** 2).mean()
    assert loss.dtype == autograd.float32
    loss.backward()
    assert x.grad.dtype == autograd.float32


def test_casts_send_gradients_back_in_the_source_dtype():
    x = _f32([0.5, 1.5])
    y = x.double() * autograd.tensor(np.array([2.0, 3.0]))
    assert y.dtype == autograd.float64
    y.sum().backward()
    assert x.grad.dtype == autograd.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 3.0])
    z = autograd.tensor(np.array([0.25]), requires_grad=True)
    (z.float() * 4.0).sum().backward()
    assert z.grad.dtype == autograd.float64 and float(z.grad) == 4.0


def test_a_cast_to_an_integer_dtype_carries_no_gradient():
    x = _f32([0.5, 1.5])
    assert not x.long().requires_grad and x.long().tolist() == [0, 1]


def test_mixed_precision_gradients_keep_each_leaf_dtype():
    a = _f32([1.0, 2.0])
    b = autograd.tensor(np.array([3.0, 4.0]), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == autograd.float32 and b.grad.dtype == autograd.float64
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])


def test_set_default_dtype_changes_what_python_floats_become():
    try:
        autograd.set_default_dtype(autograd.float64)
        assert autograd.tensor([1.0]).dtype == autograd.float64
        assert autograd.get_default_dtype() == autograd.float64
    finally:
        autograd.set_default_dtype(autograd.float32)
    with pytest.raises(TypeError):
        autograd.set_default_dtype(autograd.int64)
