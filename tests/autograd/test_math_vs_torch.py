"""The elementwise math functions against PyTorch on the same inputs, edge values included (0,
-0, +-1, large magnitudes, inf, nan): values, gradients, dtypes and errors, in float32 and
float64 (skipped when torch is not installed; CPU build: `pip install torch==2.13.0`)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402

RNG = np.random.default_rng(0)
INF, NAN = np.inf, np.nan
DTYPES = {np.float32: (autograd.float32, torch.float32), np.float64: (autograd.float64,
                                                                     torch.float64)}
# value tolerance per dtype; gradients get ten times as much
RTOL = {np.float32: 2e-6, np.float64: 1e-13}

EDGES = [0.0, -0.0, 1e-8, -1e-8, 0.3, -0.7, 1.0, -1.0, 2.5, -4.0, 30.0, -30.0, 1e4, -1e4, INF,
         -INF, NAN]
UNIT = [0.0, -0.0, 1e-8, 0.3, -0.7, 0.999, -0.9999999, 1.0, -1.0, 1.5, -2.0, INF, NAN]
PROBS = [0.0, 1e-8, 0.1, 0.5, 0.9, 1.0 - 1e-7, 1.0, -0.5, 1.5, INF, NAN]

UNARY = {  # name: (values, ours, theirs)
    "asin": (UNIT, autograd.asin, torch.asin),
    "arcsin": (UNIT, autograd.arcsin, torch.arcsin),
    "acos": (UNIT, autograd.acos, torch.acos),
    "arccos": (UNIT, autograd.arccos, torch.arccos),
    "atan": (EDGES, autograd.atan, torch.atan),
    "arctan": (EDGES, autograd.arctan, torch.arctan),
    "sinh": (EDGES, autograd.sinh, torch.sinh),
    "cosh": (EDGES, autograd.cosh, torch.cosh),
    "asinh": (EDGES, autograd.asinh, torch.asinh),
    "arcsinh": (EDGES, autograd.arcsinh, torch.arcsinh),
    "acosh": ([1.0, 1.0 + 1e-6, 1.5, 30.0, 1e4, 0.5, -2.0, INF, NAN], autograd.acosh,
              torch.acosh),
    "arccosh": ([1.5, 30.0], autograd.arccosh, torch.arccosh),
    "atanh": (UNIT, autograd.atanh, torch.atanh),
    "arctanh": (UNIT, autograd.arctanh, torch.arctanh),
    "erfc": (EDGES + [5.0, 10.0, 25.0, -6.0], autograd.erfc, torch.erfc),
    "erfinv": (UNIT + [1.0 - 1e-7, -(1.0 - 1e-12), 0.5, 0.75, 1e-30], autograd.erfinv,
               torch.erfinv),
    # (torch's sinc gradient cancels catastrophically for |x| << 1: see test_math.py for ours)
    "i0": (EDGES + [5.0, 100.0, 700.0, -650.0], autograd.i0, torch.i0),
    "sinc": ([0.0, -0.0, 0.3, -0.7, 1.0, -1.0, 2.5, -4.0, 30.0, 1e4, INF, -INF, NAN, 0.5, -1.5,
              3.0], autograd.sinc, torch.sinc),
    "deg2rad": (EDGES + [180.0, -90.0], autograd.deg2rad, torch.deg2rad),
    "rad2deg": (EDGES + [np.pi, -np.pi / 2], autograd.rad2deg, torch.rad2deg),
    "logit": (PROBS, autograd.logit, torch.logit),
    "logit_eps": (PROBS + [0.2, 0.8, 0.19, 0.81], lambda x: autograd.logit(x, eps=0.2),
                  lambda x: torch.logit(x, eps=0.2)),
    "logit_big_eps": ([0.3, 0.5, 0.7], lambda x: autograd.logit(x, eps=0.6),
                      lambda x: torch.logit(x, eps=0.6)),
    "nan_to_num": (EDGES, autograd.nan_to_num, torch.nan_to_num),
    "nan_to_num_values": (EDGES, lambda x: autograd.nan_to_num(x, nan=1.5, posinf=2.0,
                                                               neginf=-3.0),
                          lambda x: torch.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0)),
}


# NOTE: near |x| == 1 torch takes the gradients of acosh and atanh from 1 - x**2, which loses
# digits; ours from (1 - x)(1 + x) (checked against exact arithmetic in test_math.py).
GRAD_RTOL = {"acosh": 1e-9, "atanh": 1e-9, "arctanh": 1e-9}


def _pair(values, dtype, requires_grad=True):
    ours_dt, theirs_dt = DTYPES[dtype]
    a = np.asarray(values, dtype)
    return (autograd.tensor(a, dtype=ours_dt, requires_grad=requires_grad),
            torch.tensor(a, dtype=theirs_dt, requires_grad=requires_grad))


def _assert_close(ours, theirs, rtol, what, signed_zeros=True):
    assert ours.dtype == theirs.detach().numpy().dtype, \
        f"{what}: dtype {ours.dtype} vs {theirs.dtype}"
    a = ours.detach().numpy().astype(np.float64)
    b = theirs.detach().numpy().astype(np.float64)
    tiny = np.finfo(ours.dtype).tiny
    np.testing.assert_allclose(a, b, rtol=rtol, atol=tiny, equal_nan=True, err_msg=what)
    if not signed_zeros:
        return
    # signed zeros count in values (copysign, asin(-0.0), fmax(0.0, -0.0), ...)
    zeros = (a == 0) & (b == 0)
    np.testing.assert_array_equal(np.signbit(a[zeros]), np.signbit(b[zeros]), err_msg=what)


def _run(ours_fn, theirs_fn, ours_in, theirs_in, rtol, what, grad_rtol=None):
    """Forward and backward with the same upstream gradient; values and each input's
    gradient must agree."""
    y_ours, y_theirs = ours_fn(*ours_in), theirs_fn(*theirs_in)
    _assert_close(y_ours, y_theirs.detach(), rtol, f"{what}: value")
    g = RNG.standard_normal(tuple(y_theirs.shape)).astype(y_ours.dtype)
    y_ours.backward(autograd.tensor(g))
    y_theirs.backward(torch.tensor(g))
    for i, (x_ours, x_theirs) in enumerate(zip(ours_in, theirs_in)):
        if x_theirs.requires_grad:
            _assert_close(x_ours.grad, x_theirs.grad, grad_rtol or 10 * rtol,
                          f"{what}: gradient {i}", signed_zeros=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_and_gradients_match_torch_at_edge_values(name, dtype):
    values, ours_fn, theirs_fn = UNARY[name]
    x_ours, x_theirs = _pair(values, dtype)
    with np.errstate(all="ignore"):
        _run(ours_fn, theirs_fn, [x_ours], [x_theirs], RTOL[dtype], name,
             grad_rtol=GRAD_RTOL.get(name) if dtype == np.float64 else None)


BINARY_EDGES = [0.0, -0.0, 1e-8, 0.5, -1.5, 2.0, 3.0, -40.0, 1e4, INF, -INF, NAN]
BINARY = {  # name: (values, ours, theirs)
    "atan2": (BINARY_EDGES, autograd.atan2, torch.atan2),
    "arctan2": ([0.5, -1.5], autograd.arctan2, torch.arctan2),
    "hypot": (BINARY_EDGES + [1e200, -1e-200], autograd.hypot, torch.hypot),
    "logaddexp": (BINARY_EDGES + [800.0, -800.0], autograd.logaddexp, torch.logaddexp),
    "logaddexp2": (BINARY_EDGES + [1100.0, -1100.0], autograd.logaddexp2, torch.logaddexp2),
    "xlogy": (BINARY_EDGES + [-2.0, 1.0], autograd.xlogy, torch.xlogy),
    "fmax": (BINARY_EDGES, autograd.fmax, torch.fmax),
    "fmin": (BINARY_EDGES, autograd.fmin, torch.fmin),
    "copysign": (BINARY_EDGES, autograd.copysign, torch.copysign),
    "float_power": ([0.0, 0.5, 2.0, 3.0, -1.5, -2.0, INF, NAN], autograd.float_power,
                    torch.float_power),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_values_and_gradients_match_torch_on_every_pair_of_edge_values(name, dtype):
    values, ours_fn, theirs_fn = BINARY[name]
    v = np.asarray(values)
    a, b = np.meshgrid(v, v, indexing="ij")
    ours_a, theirs_a = _pair(a, dtype)
    ours_b, theirs_b = _pair(b, dtype)
    with np.errstate(all="ignore"):
        _run(ours_fn, theirs_fn, [ours_a, ours_b], [theirs_a, theirs_b], RTOL[dtype], name)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradients_sum_over_broadcast_dims_as_torch(name):
    _, ours_fn, theirs_fn = BINARY[name]
    a = RNG.uniform(0.5, 2.0, (3, 1, 4))
    b = RNG.uniform(-2.0, 2.0, (2, 1))
    ours_a, theirs_a = _pair(a, np.float64)
    ours_b, theirs_b = _pair(b, np.float64)
    _run(ours_fn, theirs_fn, [ours_a, ours_b], [theirs_a, theirs_b], 1e-13, name)
    assert ours_a.grad.shape == (3, 1, 4) and ours_b.grad.shape == (2, 1)


@pytest.mark.parametrize("value", [1, 0.5, -2.0])
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_and_addcdiv_match_torch_with_broadcasting(name, value):
    shapes = [(3, 1), (1, 4), (4,)]
    ours, theirs = zip(*[_pair(RNG.uniform(0.5, 2.0, s), np.float64) for s in shapes])
    _run(lambda *t: getattr(autograd, name)(*t, value=value),
         lambda *t: getattr(torch, name)(*t, value=value), list(ours), list(theirs), 1e-13, name)


@pytest.mark.parametrize("name", ["addcmul_", "addcdiv_"])
def test_inplace_addcmul_and_addcdiv_match_torch(name):
    shapes = [(3, 4), (1, 4), (3, 1)]
    arrays = [RNG.uniform(0.5, 2.0, s) for s in shapes]
    ours = [autograd.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y_ours = getattr(ours[0] * 1.0, name)(ours[1], ours[2], value=-0.5)
    y_theirs = getattr(theirs[0] * 1.0, name)(theirs[1], theirs[2], value=-0.5)
    _assert_close(y_ours, y_theirs.detach(), 1e-13, name)
    y_ours.sum().backward()
    y_theirs.sum().backward()
    for o, t in zip(ours, theirs):
        _assert_close(o.grad, t.grad, 1e-13, name)


# ---------------------------------------------------------------------- in-place methods
INPLACE_UNARY = ["asin_", "acos_", "atan_", "sinh_", "cosh_", "asinh_", "atanh_", "arcsin_",
                 "arccos_", "arctan_", "arcsinh_", "arctanh_", "erfc_", "erfinv_", "sinc_",
                 "deg2rad_", "rad2deg_", "logit_", "nan_to_num_", "i0_"]


@pytest.mark.parametrize("name", INPLACE_UNARY)
def test_inplace_unary_methods_write_into_the_tensor_and_match_torch(name):
    a = np.array([0.1, -0.4, 0.7, 0.0])
    leaf_ours, leaf_theirs = _pair(a, np.float64)
    x_ours, x_theirs = leaf_ours * 1.0, leaf_theirs * 1.0
    assert getattr(x_ours, name)() is x_ours
    getattr(x_theirs, name)()
    _assert_close(x_ours, x_theirs.detach(), 1e-13, name)
    x_ours.sum().backward()
    if name in ("asinh_", "atanh_", "arcsinh_", "arctanh_"):
        # torch 2.13 raises "the derivative for 'inplace version of asinh' is not implemented";
        # ours is the out-of-place function's
        getattr(autograd, name[:-1])(leaf_ours.detach().requires_grad_()).sum().backward()
        return
    x_theirs.sum().backward()
    _assert_close(leaf_ours.grad, leaf_theirs.grad, 1e-12, name, signed_zeros=False)


@pytest.mark.parametrize("name", ["atan2_", "arctan2_", "hypot_", "xlogy_", "copysign_"])
def test_inplace_binary_methods_match_torch(name):
    a, b = np.array([0.5, -1.5, 2.0]), np.array([[1.5], [-0.25]])
    ours_a, theirs_a = _pair(a, np.float64)
    ours_b, theirs_b = _pair(b, np.float64)
    x_ours = ours_a * autograd.ones(2, 1, dtype=autograd.float64)
    x_theirs = theirs_a * torch.ones(2, 1, dtype=torch.float64)
    getattr(x_ours, name)(ours_b)
    getattr(x_theirs, name)(theirs_b)
    _assert_close(x_ours, x_theirs.detach(), 1e-13, name)
    x_ours.sum().backward()
    x_theirs.sum().backward()
    _assert_close(ours_a.grad, theirs_a.grad, 1e-12, name, signed_zeros=False)
    _assert_close(ours_b.grad, theirs_b.grad, 1e-12, name, signed_zeros=False)


def test_float_power_in_place_needs_a_float64_tensor_as_torch():
    x = autograd.tensor([1.0, 2.0], dtype=autograd.float64)
    x.float_power_(3)
    assert x.tolist() == torch.tensor([1.0, 2.0], dtype=torch.float64).float_power_(3).tolist()
    with pytest.raises(RuntimeError, match="float_power_.*float32.*float64"):
        autograd.tensor([1.0, 2.0]).float_power_(2)
    with pytest.raises(RuntimeError):
        torch.tensor([1.0, 2.0]).float_power_(2)


def test_inplace_math_on_an_integer_tensor_raises_like_torch():
    with pytest.raises(RuntimeError, match="can't be cast"):
        autograd.tensor([0, 1]).asin_()
    with pytest.raises(RuntimeError, match="can't be cast"):
        torch.tensor([0, 1]).asin_()


# ---------------------------------------------------------------------- dtypes
UNARY_NAMES = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erfc",
               "erfinv", "sinc", "deg2rad", "rad2deg", "logit", "i0"]


@pytest.mark.parametrize("name", UNARY_NAMES)
def test_unary_results_have_torch_dtypes_for_float_and_integer_inputs(name):
    for data, dtype in (([0, 1], None), ([True, False], None), ([0.5], "float32"),
                        ([0.5], "float64")):
        ours = getattr(autograd, name)(autograd.tensor(
            data, dtype=None if dtype is None else getattr(autograd, dtype)))
        theirs = getattr(torch, name)(torch.tensor(
            data, dtype=None if dtype is None else getattr(torch, dtype)))
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), (name, data, dtype)


@pytest.mark.parametrize("name", ["atan2", "xlogy", "copysign", "float_power", "fmax", "fmin",
                                  "hypot", "logaddexp", "logaddexp2"])
def test_binary_results_have_torch_dtypes(name):
    combos = [("float32", "float64"), ("float64", "float32"), ("float32", "int64"),
              ("int64", "float32")]
    if name in ("atan2", "xlogy", "copysign", "float_power", "fmax", "fmin"):
        combos.append(("int64", "int64"))  # torch has no integer hypot or logaddexp kernels
    for da, db in combos:
        ours = getattr(autograd, name)(autograd.tensor([1, 2], dtype=getattr(autograd, da)),
                                       autograd.tensor([2, 1], dtype=getattr(autograd, db)))
        theirs = getattr(torch, name)(torch.tensor([1, 2], dtype=getattr(torch, da)),
                                      torch.tensor([2, 1], dtype=getattr(torch, db)))
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), (name, da, db)


@pytest.mark.parametrize("name", ["xlogy", "copysign", "float_power"])
def test_python_scalars_are_weak_as_in_torch(name):
    """Where torch takes a Python number, it does not upcast a float32 tensor."""
    x_ours, x_theirs = autograd.tensor([0.5, 2.0]), torch.tensor([0.5, 2.0])
    for s in (2, -1.5):
        ours, theirs = getattr(autograd, name)(x_ours, s), getattr(torch, name)(x_theirs, s)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    if name != "copysign":
        ours, theirs = getattr(autograd, name)(3, x_ours), getattr(torch, name)(3, x_theirs)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_float_power_gradient_comes_back_in_the_input_dtype():
    ours, theirs = _pair([1.0, 2.0, 3.0], np.float32)
    autograd.float_power(ours, 2.5).sum().backward()
    torch.float_power(theirs, 2.5).sum().backward()
    assert ours.grad.dtype == autograd.float32
    _assert_close(ours.grad, theirs.grad, 1e-6, "float_power")


def test_sgn_and_sign_match_torch_on_zeros_and_nan():
    values = [-0.0, 0.0, NAN, -2.5, 3.0, INF, -INF]
    for dtype in (np.float32, np.float64):
        x_ours, x_theirs = _pair(values, dtype, requires_grad=False)
        for name in ("sgn", "sign"):
            _assert_close(getattr(autograd, name)(x_ours), getattr(torch, name)(x_theirs), 0,
                          name)
    ours, theirs = autograd.sgn(autograd.tensor([-3, 0, 5])), torch.sgn(torch.tensor([-3, 0, 5]))
    assert ours.tolist() == theirs.tolist() and str(ours.dtype) == "int64"


def test_heaviside_matches_torch():
    x = [-1.0, 0.0, -0.0, 2.0, NAN, INF]
    for values in ([0.5], [0.5, -1.0, 2.0, 3.0, 4.0, 5.0]):
        ours = autograd.heaviside(autograd.tensor(x), autograd.tensor(values))
        theirs = torch.heaviside(torch.tensor(x), torch.tensor(values))
        _assert_close(ours, theirs, 0, "heaviside")
    ours = autograd.heaviside(autograd.tensor([-2, 0, 3]), autograd.tensor([7]))
    assert ours.tolist() == torch.heaviside(torch.tensor([-2, 0, 3]), torch.tensor([7])).tolist()


def test_nan_to_num_of_float16_and_integers_matches_torch():
    x = [NAN, INF, -INF, 1.5]
    ours = autograd.nan_to_num(autograd.tensor(x, dtype=autograd.float16))
    theirs = torch.nan_to_num(torch.tensor(x, dtype=torch.float16))
    assert ours.tolist() == theirs.tolist()
    assert autograd.nan_to_num(autograd.tensor([1, 2])).tolist() == [1, 2]


# ---------------------------------------------------------------------- accuracy
def test_erfinv_matches_torch_to_a_few_ulps_in_float64_across_the_domain():
    x = np.concatenate([np.linspace(-1.0, 1.0, 20001)[1:-1],
                        1.0 - np.logspace(-16, -1, 200), -(1.0 - np.logspace(-16, -1, 200)),
                        np.logspace(-300, -1, 200)])
    ours = autograd.erfinv(autograd.tensor(x, dtype=autograd.float64)).numpy()
    theirs = torch.erfinv(torch.tensor(x, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-15, atol=0)


def test_erfc_matches_torch_in_the_far_tail_where_one_minus_erf_is_zero():
    x = np.linspace(-10.0, 26.0, 3601)
    for dtype in (np.float32, np.float64):
        ours, theirs = _pair(x, dtype, requires_grad=False)
        ours, theirs = autograd.erfc(ours).numpy(), torch.erfc(theirs).numpy()
        normal = theirs >= np.finfo(dtype).tiny
        np.testing.assert_allclose(ours[normal], theirs[normal], rtol=RTOL[dtype] * 5)
        assert np.all(ours[~normal] <= np.finfo(dtype).tiny)


@pytest.mark.parametrize("name", ["asin", "acosh", "atanh", "erfc", "erfinv", "sinc", "logit",
                                  "sinh", "i0"])
def test_second_derivatives_match_torch(name):
    values = {"acosh": [1.5, 2.0, 4.0], "logit": [0.2, 0.5, 0.7]}.get(name, [-0.6, 0.3, 0.8])
    ours, theirs = _pair(values, np.float64)
    g_ours, = autograd.grad(getattr(autograd, name)(ours).sum(), ours, create_graph=True)
    g_theirs, = torch.autograd.grad(getattr(torch, name)(theirs).sum(), theirs,
                                    create_graph=True)
    gg_ours, = autograd.grad(g_ours.sum(), ours)
    gg_theirs, = torch.autograd.grad(g_theirs.sum(), theirs)
    _assert_close(gg_ours, gg_theirs, 1e-12, name, signed_zeros=False)


@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "logaddexp2", "xlogy",
                                  "copysign"])
def test_binary_second_derivatives_match_torch(name):
    a_ours, a_theirs = _pair([0.5, -1.2, 2.0], np.float64)
    b_ours, b_theirs = _pair([1.5, 0.7, 0.3], np.float64)
    g_ours = autograd.grad(getattr(autograd, name)(a_ours, b_ours).sum(), (a_ours, b_ours),
                           create_graph=True)
    g_ours = [g.sum() for g in g_ours]
    g_theirs = torch.autograd.grad(getattr(torch, name)(a_theirs, b_theirs).sum(),
                                   (a_theirs, b_theirs), create_graph=True)
    g_theirs = [g.sum() for g in g_theirs]
    for k in range(2):
        # copysign's gradient is piecewise constant: torch then reports no graph at all
        if not g_theirs[k].requires_grad:
            continue
        gg_ours = autograd.grad(g_ours[k], (a_ours, b_ours), allow_unused=True,
                                retain_graph=True)
        gg_theirs = torch.autograd.grad(g_theirs[k], (a_theirs, b_theirs), allow_unused=True,
                                        retain_graph=True)
        for o, t in zip(gg_ours, gg_theirs):
            if t is None:
                assert o is None or not np.any(o.numpy())
            else:
                _assert_close(o, t, 1e-12, name, signed_zeros=False)


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "fmax",
                                  "fmin", "copysign"])
def test_shapes_that_do_not_broadcast_raise_runtime_error_as_torch(name):
    with pytest.raises(RuntimeError, match=r"\(2,\) and \(3,\)"):
        getattr(autograd, name)(autograd.zeros(2), autograd.zeros(3))
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.zeros(2), torch.zeros(3))


def test_addcdiv_of_integer_tensors_raises_as_torch():
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        autograd.addcdiv(autograd.tensor([1, 2]), autograd.tensor([1, 2]),
                         autograd.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        torch.addcdiv(torch.tensor([1, 2]), torch.tensor([1, 2]), torch.tensor([1, 2]))


def test_addcmul_value_is_keyword_only_as_torch():
    with pytest.raises(TypeError):
        autograd.addcmul(autograd.ones(2), autograd.ones(2), autograd.ones(2), 2)
    with pytest.raises(TypeError):
        torch.addcmul(torch.ones(2), torch.ones(2), torch.ones(2), 2)


def test_heaviside_rejects_mixed_dtypes_as_torch():
    with pytest.raises(RuntimeError, match="different dtypes.*float32.*float64"):
        autograd.heaviside(autograd.zeros(2), autograd.zeros(2, dtype=autograd.float64))
    with pytest.raises(RuntimeError, match="different dtypes"):
        torch.heaviside(torch.zeros(2), torch.zeros(2, dtype=torch.float64))
