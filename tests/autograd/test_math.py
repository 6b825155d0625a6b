"""The elementwise math functions at the values where they are delicate: hand-computed and
exact-arithmetic expectations (the comparisons with PyTorch are in test_math_vs_torch.py)."""
import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

import autograd
from autograd.ops import elementwise, special

INF, NAN = np.inf, np.nan


def _t(values, dtype=autograd.float64, requires_grad=False):
    return autograd.tensor(np.asarray(values, np.float64), dtype=dtype,
                           requires_grad=requires_grad)


def _grad(fn, values):
    x = _t(values, requires_grad=True)
    fn(x).sum().backward()
    return x.grad.numpy()


# ---------------------------------------------------------------------- error function
def test_erfinv_known_values_and_its_domain_edges():
    y = autograd.erfinv(_t([0.5, -0.5, 0.0, -0.0, 1.0, -1.0, 1.5, NAN])).numpy()
    np.testing.assert_allclose(y[:2], [0.4769362762044699, -0.4769362762044699], rtol=1e-15)
    assert y[2] == 0 and not np.signbit(y[2]) and y[3] == 0 and np.signbit(y[3])
    assert y[4] == INF and y[5] == -INF and np.isnan(y[6]) and np.isnan(y[7])


def test_erfinv_inverts_erf_and_erfc_in_the_tail():
    x = np.concatenate([np.linspace(-0.999, 0.999, 1999), [1e-300, 1e-20, -1e-10]])
    y = autograd.erfinv(_t(x)).numpy()
    np.testing.assert_allclose(np.vectorize(math.erf)(y), x, rtol=4e-16, atol=0)
    x = 1.0 - 10.0 ** -np.arange(2.0, 16.5, 0.5)
    tail = 1.0 - x  # exact (Sterbenz)
    y = autograd.erfinv(_t(x)).numpy()
    np.testing.assert_allclose(np.vectorize(math.erfc)(y), tail, rtol=1e-13)


def test_erfinv_and_erfc_without_scipy_use_the_math_module(monkeypatch):
    x = np.array([-0.999999, -0.3, 1e-12, 0.6, 0.9999999999])
    with_scipy = autograd.erfinv(_t(x)).numpy(), autograd.erfc(_t(x * 5)).numpy()
    monkeypatch.setattr(elementwise, "_vector_erf", np.vectorize(math.erf, otypes=[float]))
    monkeypatch.setattr(special, "_vector_erfc", np.vectorize(math.erfc, otypes=[float]))
    np.testing.assert_allclose(autograd.erfinv(_t(x)).numpy(), with_scipy[0], rtol=4e-16)
    np.testing.assert_allclose(autograd.erfc(_t(x * 5)).numpy(), with_scipy[1], rtol=4e-16)


def test_erfc_keeps_its_digits_where_one_minus_erf_is_zero():
    y = autograd.erfc(_t([10.0, 26.0, -INF, INF, 0.0])).numpy()
    np.testing.assert_allclose(y[:2], [2.088487583762545e-45, 5.663192408856142e-296],
                               rtol=1e-13)
    assert y[2:].tolist() == [2.0, 0.0, 1.0]
    g = _grad(autograd.erfc, [0.0, 3.0])
    np.testing.assert_allclose(g, [-2 / math.sqrt(math.pi),
                                   -2 / math.sqrt(math.pi) * math.exp(-9.0)], rtol=1e-15)


def test_erfinv_gradient_is_sqrt_pi_over_2_exp_y_squared():
    y = 0.4769362762044699
    np.testing.assert_allclose(_grad(autograd.erfinv, [0.5, 0.0]),
                               [math.sqrt(math.pi) / 2 * math.exp(y * y),
                                math.sqrt(math.pi) / 2], rtol=1e-15)


# ---------------------------------------------------------------------- near the poles
def _exact_inverse_sqrt(v):
    getcontext().prec = 50
    return float(1 / Decimal(v).sqrt())


def test_acosh_and_atanh_gradients_keep_their_digits_next_to_1():
    x = 1.0 + 2.0 ** -30
    d = Decimal(x)
    np.testing.assert_allclose(_grad(autograd.acosh, [x]), [_exact_inverse_sqrt(d * d - 1)],
                               rtol=4e-16)
    x = 1.0 - 2.0 ** -30
    d = Decimal(x)
    np.testing.assert_allclose(_grad(autograd.atanh, [x]), [float(1 / (1 - d * d))],
                               rtol=4e-16)
    assert _grad(autograd.acosh, [1.0])[0] == INF and _grad(autograd.atanh, [-1.0])[0] == INF


def test_inverse_trig_at_the_ends_of_the_domain():
    assert autograd.asin(_t([1.0, -1.0])).tolist() == [math.pi / 2, -math.pi / 2]
    assert np.isnan(autograd.acos(_t([1.5])).numpy()).all()
    assert autograd.atanh(_t([1.0, -1.0])).tolist() == [INF, -INF]
    assert _grad(autograd.asin, [1.0])[0] == INF


# ---------------------------------------------------------------------- sinc
def test_sinc_is_1_at_0_and_its_gradient_has_no_cancellation_for_small_x():
    assert autograd.sinc(_t([0.0, 1.0, 0.5])).numpy()[0] == 1.0
    x = np.array([1e-12, -1e-8, 1e-4, 1e-2])
    t = math.pi * x
    expected = math.pi * (-t / 3 + t ** 3 / 30 - t ** 5 / 840 + t ** 7 / 45360)
    np.testing.assert_allclose(_grad(autograd.sinc, x), expected, rtol=1e-15)
    assert _grad(autograd.sinc, [0.0])[0] == 0.0
    np.testing.assert_allclose(_grad(autograd.sinc, [1.0, 0.5]), [-1.0, -4 / math.pi],
                               rtol=1e-15)


def test_sinc_second_derivative_at_0_is_minus_pi_squared_over_3():
    x = _t([0.0], requires_grad=True)
    g, = autograd.grad(autograd.sinc(x).sum(), x, create_graph=True)
    gg, = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [-math.pi ** 2 / 3], rtol=1e-15)


def test_sinc_gradient_is_float64_accurate_on_both_sides_of_the_series_switch():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    x = np.concatenate([np.linspace(0.05, 0.15, 41), np.logspace(-6, -1, 11), [2.7, -3.3]])
    expected = [float(mpmath.diff(lambda u: mpmath.sin(mpmath.pi * u) / (mpmath.pi * u),
                                  mpmath.mpf(v))) for v in x]
    np.testing.assert_allclose(_grad(autograd.sinc, x), expected, rtol=2e-14)


# ---------------------------------------------------------------------- i0
def test_i0_known_values_and_its_gradient_i1():
    np.testing.assert_allclose(autograd.i0(_t([0.0, 1.0, -2.0])).numpy(),
                               [1.0, 1.2660658777520084, 2.2795853023360673], rtol=1e-15)
    # I1(1) and I1(10) from tables; I1(0) == 0, I1 is odd
    np.testing.assert_allclose(_grad(autograd.i0, [0.0, 1.0, -1.0, 10.0]),
                               [0.0, 0.5651591039924851, -0.5651591039924851,
                                2670.988303701255], rtol=1e-14)
    x = _t([0.0], requires_grad=True)
    g, = autograd.grad(autograd.i0(x).sum(), x, create_graph=True)
    assert autograd.grad(g.sum(), x)[0].tolist() == [0.5]  # I1'(0) = 1/2


# ---------------------------------------------------------------------- logit, xlogy
def test_logit_with_eps_clamps_and_stops_the_gradient_outside():
    y = autograd.logit(_t([0.1, 0.5, 0.95]), eps=0.2).numpy()
    np.testing.assert_allclose(y, [math.log(0.25), 0.0, math.log(4.0)], rtol=1e-15)
    np.testing.assert_allclose(_grad(lambda x: autograd.logit(x, eps=0.2), [0.1, 0.5, 0.8]),
                               [0.0, 4.0, 1 / (0.8 * 0.2)], rtol=1e-15)


def test_logit_without_eps_is_infinite_at_0_and_1_and_nan_outside():
    assert autograd.logit(_t([0.0, 1.0])).tolist() == [-INF, INF]
    g = _grad(autograd.logit, [0.0, 1.0, 1.5, -0.5])
    assert g[0] == INF and g[1] == INF and np.isnan(g[2:]).all()


def test_xlogy_is_zero_where_x_is_zero_unless_y_is_nan():
    y = autograd.xlogy(_t([0.0, 0.0, 0.0, 0.0, 2.0]), _t([0.0, -1.0, INF, NAN, 0.0])).numpy()
    assert y[:3].tolist() == [0.0, 0.0, 0.0] and np.isnan(y[3]) and y[4] == -INF


def test_xlogy_gradients():
    x, y = _t([0.0, 0.0, 2.0], requires_grad=True), _t([0.0, 3.0, 4.0], requires_grad=True)
    autograd.xlogy(x, y).sum().backward()
    # d/dx at x == 0, y <= 0 is masked to 0; elsewhere log(y)
    assert x.grad.tolist() == [0.0, math.log(3.0), math.log(4.0)]
    assert np.isnan(y.grad.numpy()[0]) and y.grad.tolist()[1:] == [0.0, 0.5]


# ---------------------------------------------------------------------- log-add-exp
def test_logaddexp_is_stable_at_large_magnitudes():
    y = autograd.logaddexp(_t([1000.0, -1000.0, 1000.0, -INF]),
                           _t([1000.0, -1000.0, -1000.0, -INF])).numpy()
    np.testing.assert_allclose(y[:3], [1000 + math.log(2), -1000 + math.log(2), 1000.0],
                               rtol=1e-15)
    assert y[3] == -INF
    np.testing.assert_allclose(
        autograd.logaddexp2(_t([1000.0]), _t([1000.0])).numpy(), [1001.0], rtol=1e-15)


def test_logaddexp_gradients_are_the_softmax_weights():
    a, b = _t([1000.0, 0.0, 2.0], requires_grad=True), _t([-1000.0, 0.0, INF],
                                                           requires_grad=True)
    autograd.logaddexp(a, b).sum().backward()
    assert a.grad.tolist() == [1.0, 0.5, 0.0] and b.grad.tolist() == [0.0, 0.5, 1.0]
    a, b = _t([3.0], requires_grad=True), _t([2.0], requires_grad=True)
    autograd.logaddexp2(a, b).sum().backward()
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [2 / 3, 1 / 3], rtol=1e-15)


# ---------------------------------------------------------------------- nan_to_num, fmax, fmin
def test_nan_to_num_replaces_and_passes_the_gradient_only_where_finite():
    big = np.finfo(np.float32).max
    y = autograd.nan_to_num(_t([NAN, INF, -INF, 2.0], autograd.float32))
    assert y.dtype == autograd.float32 and y.tolist() == [0.0, big, -big, 2.0]
    assert autograd.nan_to_num(_t([NAN, INF, -INF]), nan=1.0, posinf=2.0,
                               neginf=-3.0).tolist() == [1.0, 2.0, -3.0]
    assert _grad(autograd.nan_to_num, [NAN, INF, -INF, 2.0]).tolist() == [0, 0, 0, 1]


def test_fmax_and_fmin_ignore_nan_and_route_ties_to_the_first_input():
    a = _t([1.0, 2.0, NAN, 3.0, NAN, 0.0], requires_grad=True)
    b = _t([1.0, 1.0, 1.0, NAN, NAN, -0.0], requires_grad=True)
    y = autograd.fmax(a, b)
    np.testing.assert_array_equal(y.detach().numpy(), [1.0, 2.0, 1.0, 3.0, NAN, 0.0])
    assert not np.signbit(y.detach().numpy()[5])
    y.sum().backward()
    assert a.grad.tolist() == [1, 1, 0, 1, 1, 1] and b.grad.tolist() == [0, 0, 1, 0, 0, 0]
    a.grad = b.grad = None
    y = autograd.fmin(a, b)
    np.testing.assert_array_equal(y.detach().numpy(), [1.0, 1.0, 1.0, 3.0, NAN, 0.0])
    y.sum().backward()
    assert a.grad.tolist() == [1, 0, 0, 1, 1, 1] and b.grad.tolist() == [0, 1, 1, 0, 0, 0]


def test_fmax_of_integer_tensors_stays_integer():
    y = autograd.fmax(autograd.tensor([1, 5]), autograd.tensor([3, 2]))
    assert y.dtype == autograd.int64 and y.tolist() == [3, 5]


# ---------------------------------------------------------------------- copysign, atan2, hypot
def test_copysign_follows_signed_zeros_and_its_gradient_is_the_sign_flip():
    a = _t([2.0, 2.0, -3.0, 0.0], requires_grad=True)
    b = _t([-0.0, 0.0, 1.0, -1.0], requires_grad=True)
    y = autograd.copysign(a, b)
    assert y.tolist() == [-2.0, 2.0, 3.0, 0.0] and np.signbit(y.detach().numpy()[3])
    y.sum().backward()
    assert a.grad.tolist() == [-1.0, 1.0, -1.0, 0.0] and b.grad.tolist() == [0, 0, 0, 0]


def test_atan2_quadrants_and_its_gradient_at_the_origin():
    y = autograd.atan2(_t([1.0, 1.0, -1.0, 0.0]), _t([1.0, -1.0, -1.0, -1.0])).numpy()
    np.testing.assert_allclose(y, [math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4, math.pi],
                               rtol=1e-15)
    a, b = _t([0.0, 3.0], requires_grad=True), _t([0.0, 4.0], requires_grad=True)
    autograd.atan2(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 4 / 25] and b.grad.tolist() == [0.0, -3 / 25]


def test_hypot_does_not_overflow_and_its_gradient_is_the_unit_vector():
    np.testing.assert_allclose(autograd.hypot(_t([3e200]), _t([4e200])).numpy(), [5e200],
                               rtol=1e-15)
    a, b = _t([3.0], requires_grad=True), _t([4.0], requires_grad=True)
    autograd.hypot(a, b).sum().backward()
    np.testing.assert_allclose([a.grad.item(), b.grad.item()], [0.6, 0.8], rtol=1e-15)


# ---------------------------------------------------------------------- dtypes and scalars
@pytest.mark.parametrize("name", ["asin", "acos", "atan", "sinh", "cosh", "asinh", "atanh",
                                  "erfc", "erfinv", "sinc", "deg2rad", "rad2deg", "logit", "i0"])
def test_integer_inputs_give_the_default_float_dtype_and_float32_stays(name):
    fn = getattr(autograd, name)
    assert fn(autograd.tensor([0, 0])).dtype == autograd.get_default_dtype()
    assert fn(autograd.tensor([0.25])).dtype == autograd.float32
    assert getattr(autograd.tensor([0.25]), name)().dtype == autograd.float32


@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "logaddexp2", "xlogy",
                                  "copysign", "fmax", "fmin"])
def test_python_scalars_on_either_side_keep_float32(name):
    fn = getattr(autograd, name)
    x = autograd.tensor([0.5, 2.0], requires_grad=True)
    for y in (fn(x, 1.5), fn(x, 2), fn(1.5, x), getattr(x, name)(3)):
        assert y.dtype == autograd.float32 and y.shape == (2,)
    fn(x, 1.5).sum().backward()
    assert x.grad.dtype == autograd.float32


def test_float_power_computes_in_float64_and_returns_gradients_in_the_input_dtype():
    x = autograd.tensor([2.0, 3.0], requires_grad=True)
    y = autograd.float_power(x, 2)
    assert y.dtype == autograd.float64 and y.tolist() == [4.0, 9.0]
    y.sum().backward()
    assert x.grad.dtype == autograd.float32 and x.grad.tolist() == [4.0, 6.0]
    assert autograd.float_power(2, autograd.tensor([3])).tolist() == [8.0]


def test_deg2rad_and_rad2deg():
    np.testing.assert_allclose(autograd.deg2rad(autograd.tensor([180, -90])).numpy(),
                               [math.pi, -math.pi / 2], rtol=1e-7)
    np.testing.assert_allclose(autograd.rad2deg(_t([math.pi])).numpy(), [180.0], rtol=1e-15)


def test_sgn_is_sign_and_sign_of_nan_is_zero():
    assert autograd.sgn(_t([-2.0, 0.0, 3.0, NAN])).tolist() == [-1.0, 0.0, 1.0, 0.0]
    assert autograd.sign(_t([NAN])).tolist() == [0.0]
    assert autograd.tensor([-3]).sgn().tolist() == [-1]


def test_heaviside_takes_values_at_zero():
    y = autograd.heaviside(_t([-1.0, 0.0, 2.0, NAN]), _t([0.5]))
    assert y.tolist() == [0.0, 0.5, 1.0, 0.0]


# ---------------------------------------------------------------------- addcmul, addcdiv
def test_addcmul_and_addcdiv_values_and_gradients():
    x, a, b = (_t(v, requires_grad=True) for v in ([1.0, 2.0], [3.0, 4.0], [2.0, 8.0]))
    y = autograd.addcmul(x, a, b, value=0.5)
    assert y.tolist() == [4.0, 18.0]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and a.grad.tolist() == [1.0, 4.0]
    assert b.grad.tolist() == [1.5, 2.0]
    x.grad = a.grad = b.grad = None
    y = x.addcdiv(a, b, value=-2)
    assert y.tolist() == [-2.0, 1.0]
    y.sum().backward()
    assert a.grad.tolist() == [-1.0, -0.25] and b.grad.tolist() == [1.5, 0.125]


def test_inplace_addcmul_and_addcdiv_update_the_tensor_and_record_the_op():
    w = autograd.tensor([1.0, 1.0])
    w.addcmul_(autograd.tensor([2.0, 3.0]), autograd.tensor([4.0, 5.0]), value=-1)
    w.addcdiv_(autograd.tensor([1.0, 1.0]), autograd.tensor([2.0, 4.0]))
    assert w.tolist() == [-6.5, -13.75]
    leaf = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = leaf * 1.0
    y.addcdiv_(leaf, autograd.tensor([2.0, 4.0]), value=2)
    y.sum().backward()
    assert leaf.grad.tolist() == [2.0, 1.5]


def test_errors_name_the_shapes_and_dtypes():
    with pytest.raises(RuntimeError, match=r"atan2\(\): the shapes \(2,\) and \(3,\)"):
        autograd.atan2(autograd.zeros(2), autograd.zeros(3))
    with pytest.raises(TypeError, match="at least one Tensor"):
        autograd.hypot(1.0, 2.0)
    with pytest.raises(TypeError, match="nan_to_num.*Tensor"):
        autograd.nan_to_num([1.0])
    with pytest.raises(TypeError, match="float_power.*str"):
        autograd.float_power(autograd.ones(2), "2")
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        autograd.addcdiv(autograd.ones(2), autograd.tensor([1]), autograd.tensor([2]))
    with pytest.raises(RuntimeError, match="float_power_.*float32"):
        autograd.ones(2).float_power_(2)
    with pytest.raises(RuntimeError, match=r"output with shape \(1,\).*\(2,\)"):
        autograd.ones(1).addcmul_(autograd.ones(2), autograd.ones(2))
