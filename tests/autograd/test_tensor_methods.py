"""Tensor methods filling PyTorch's API: in-place variants (aliasing, version counters, dtype
rules, recording), in-place shape changes, random fills, storage queries, hooks, and the new
functions' special values and errors. Expected values are worked out by hand or from `math`."""
import math

import numpy as np
import pytest

import autograd

EULER = 0.5772156649015329


def _f64(values, requires_grad=False):
    return autograd.tensor(np.array(values, np.float64), requires_grad=requires_grad)


# ---------------------------------------------------------------------- in-place variants
def test_an_inplace_method_returns_the_tensor_itself_and_writes_into_its_storage():
    x = _f64([1.5, -2.5, 3.0])
    view = x[1:]
    version = x._version
    out = x.floor_()
    assert out is x
    assert x.tolist() == [1.0, -3.0, 3.0]
    assert view.tolist() == [-3.0, 3.0]  # a view of the same storage sees the write
    assert x._version == version + 1


def test_a_comparison_in_place_writes_ones_and_zeros_into_a_float_tensor():
    x = _f64([1.0, 2.0, 3.0])
    x.eq_(autograd.tensor([1.0, 0.0, 3.0], dtype=autograd.float64))
    assert x.dtype == autograd.float64 and x.tolist() == [1.0, 0.0, 1.0]
    y = autograd.tensor([1, 5, 3])
    y.gt_(2)
    assert y.dtype == autograd.int64 and y.tolist() == [0, 1, 1]


@pytest.mark.parametrize("method", ["reciprocal_", "lgamma_", "digamma_", "rsqrt_", "log2_",
                                    "exp2_", "tan_", "erf_", "expm1_", "log1p_", "log10_"])
def test_an_integer_tensor_refuses_a_float_result_in_place(method):
    x = autograd.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast"):
        getattr(x, method)()
    assert x.tolist() == [1, 2, 3]


def test_true_divide_in_place_on_an_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="can't be cast"):
        autograd.tensor([4, 6]).true_divide_(2)


def test_a_recorded_inplace_lgamma_differentiates_to_digamma():
    x = _f64([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.lgamma_()
    assert abs(y[0].item()) < 1e-15 and abs(y[1].item()) < 1e-15  # lgamma(1) = lgamma(2) = 0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-EULER, 1.0 - EULER], rtol=1e-14)


def test_a_comparison_in_place_on_a_tensor_requiring_grad_keeps_it_on_the_graph_with_zero_grad():
    x = _f64([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    y.ge_(4.0)
    assert y.requires_grad and y.tolist() == [0.0, 1.0]
    (y * 5.0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_an_inplace_method_on_a_leaf_requiring_grad_raises():
    x = _f64([1.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.floor_()
    with autograd.no_grad():
        x.floor_()
    assert x.tolist() == [1.0]


def test_overwriting_a_value_saved_for_backward_makes_backward_raise():
    x = _f64([0.5, 1.5], requires_grad=True)
    a = x * 1.0
    b = a.lgamma()          # saves a
    a.square_()             # overwrites it
    with pytest.raises(RuntimeError, match="modified by an inplace operation|square_"):
        b.sum().backward()


def test_subtract_and_multiply_in_place_take_alpha_and_scale():
    x = _f64([1.0, 2.0])
    assert x.subtract_(_f64([1.0, 1.0]), alpha=2).tolist() == [-1.0, 0.0]
    assert x.multiply_(3.0).tolist() == [-3.0, 0.0]


def test_inplace_variants_with_arguments_match_their_out_of_place_function():
    x = _f64([[1.0, 2.0], [3.0, 4.0]])
    expected = autograd.index_add(x, 0, autograd.tensor([1, 1]), _f64([[1.0, 1.0], [2.0, 2.0]]))
    assert x.clone().index_add_(0, autograd.tensor([1, 1]), _f64([[1.0, 1.0], [2.0, 2.0]])) \
        .tolist() == expected.tolist() == [[1.0, 2.0], [6.0, 7.0]]
    y = _f64([1.0, 2.0, 3.0])
    assert y.cumsum_(0).tolist() == [1.0, 3.0, 6.0]
    assert y.clamp_max_(4.0).tolist() == [1.0, 3.0, 4.0]
    assert y.polygamma_(0).tolist() == pytest.approx(
        [-EULER, 1.5 - EULER, 1.5 - EULER + 1 / 3], rel=1e-13)
    z = autograd.tensor([12, 18])
    assert z.gcd_(autograd.tensor([8, 12])).tolist() == [4, 6]
    assert z.bitwise_left_shift_(2).tolist() == [16, 24]


# ---------------------------------------------------------------------- in-place shape changes
def test_unsqueeze_squeeze_and_transpose_in_place_change_the_tensor_not_its_storage():
    x = autograd.arange(6.0).reshape(2, 3)
    ptr, version = x.data_ptr(), x._version
    assert x.unsqueeze_(0) is x and x.shape == (1, 2, 3)
    assert x.squeeze_() is x and x.shape == (2, 3)
    assert x.t_() is x and x.shape == (3, 2) and x.stride() == (1, 3)
    x.transpose_(0, 1).swapaxes_(0, 1).swapdims_(1, 0)
    assert x.shape == (2, 3) and x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert x.data_ptr() == ptr and x._version == version + 6


def test_an_inplace_shape_change_of_a_recorded_tensor_keeps_the_gradient_flowing():
    x = _f64([[1.0, 2.0, 3.0]], requires_grad=True)
    y = x * 2.0
    y.t_()
    assert y.shape == (3, 1)
    (y * _f64([[1.0], [10.0], [100.0]])).sum().backward()
    assert x.grad.tolist() == [[2.0, 20.0, 200.0]]
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.unsqueeze_(0)


def test_resize_keeps_the_leading_elements_and_zero_fills_growth():
    x = _f64([1.0, 2.0, 3.0, 4.0])
    assert x.resize_(2, 2) is x and x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x.resize_(3).tolist() == [1.0, 2.0, 3.0]
    assert x.resize_(2, 3).tolist() == [[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]]
    assert x.resize_as_(autograd.zeros(1, 2)).shape == (1, 2)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        _f64([1.0], requires_grad=True).resize_(2)


def test_as_strided_in_place_reinterprets_the_storage():
    x = autograd.arange(6.0)
    x.as_strided_((2, 2), (1, 2), 1)
    assert x.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert x.stride() == (1, 2) and x.storage_offset() == 1


# ---------------------------------------------------------------------- random fills
@pytest.mark.parametrize("call", [
    lambda t, **g: t.random_(3, 7, **g), lambda t, **g: t.random_(5, **g),
    lambda t, **g: t.exponential_(2.0, **g), lambda t, **g: t.cauchy_(1.0, 0.5, **g),
    lambda t, **g: t.log_normal_(0.0, 0.5, **g), lambda t, **g: t.geometric_(0.3, **g)])
def test_random_fills_follow_manual_seed_and_a_given_generator(call):
    autograd.manual_seed(3)
    a = call(autograd.zeros(50, dtype=autograd.float64)).tolist()
    autograd.manual_seed(3)
    b = call(autograd.zeros(50, dtype=autograd.float64)).tolist()
    assert a == b and len(set(a)) > 1
    g = autograd.Generator().manual_seed(7)
    c = call(autograd.zeros(50, dtype=autograd.float64), generator=g).tolist()
    g.manual_seed(7)
    assert call(autograd.zeros(50, dtype=autograd.float64), generator=g).tolist() == c


def test_random_fills_draw_from_the_right_support():
    autograd.manual_seed(0)
    ints = autograd.zeros(2000).random_(3, 7).numpy()
    assert set(np.unique(ints)) == {3.0, 4.0, 5.0, 6.0}
    assert set(np.unique(autograd.zeros(500, dtype=autograd.int64).random_(2).numpy())) == {0, 1}
    bytes_ = autograd.zeros(2000, dtype=autograd.uint8).random_().numpy()
    assert bytes_.min() >= 0 and bytes_.max() <= 255 and bytes_.max() > 200
    geo = autograd.zeros(2000).geometric_(0.5).numpy()
    assert geo.min() == 1.0 and np.all(geo == np.round(geo))
    assert abs(geo.mean() - 2.0) < 0.2   # mean 1/p
    expo = autograd.zeros(4000, dtype=autograd.float64).exponential_(4.0).numpy()
    assert expo.min() > 0 and abs(expo.mean() - 0.25) < 0.03
    logn = autograd.zeros(4000, dtype=autograd.float64).log_normal_(0.0, 0.25).numpy()
    assert logn.min() > 0 and abs(np.log(logn).std() - 0.25) < 0.02


def test_random_fills_reject_bad_parameters_and_integer_tensors_for_continuous_laws():
    with pytest.raises(RuntimeError, match="from=5 >= to=3"):
        autograd.zeros(2).random_(5, 3)
    with pytest.raises(RuntimeError, match="floating point"):
        autograd.zeros(2, dtype=autograd.int64).exponential_()
    with pytest.raises(RuntimeError, match="lambda > 0"):
        autograd.zeros(2).exponential_(-1.0)
    with pytest.raises(RuntimeError, match=r"p to be in \(0, 1\)"):
        autograd.zeros(2).geometric_(1.5)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        autograd.zeros(2, requires_grad=True).cauchy_()


# ---------------------------------------------------------------------- queries and attributes
def test_flags_of_a_cpu_dense_real_tensor():
    x = autograd.zeros(2)
    assert x.is_cpu and not x.is_mps and not x.is_sparse and not x.is_quantized
    assert not x.is_complex() and not x.is_pinned() and not x.is_shared()
    assert not x.is_inference() and not autograd.is_inference(x)
    assert x.get_device() == -1 and autograd.get_device(x) == -1
    assert x.pin_memory() is x and x.share_memory_() is x
    assert x.layout is autograd.strided and x.itemsize == 4


@pytest.mark.parametrize("dtype,signed", [(autograd.float32, True), (autograd.int8, True),
                                          (autograd.int64, True), (autograd.uint8, False),
                                          (autograd.bool, False)])
def test_is_signed_follows_the_dtype(dtype, signed):
    assert autograd.zeros(1, dtype=dtype).is_signed() is signed


def test_is_nonzero_needs_exactly_one_element():
    assert autograd.tensor([2.0]).is_nonzero() and not autograd.tensor(0).is_nonzero()
    with pytest.raises(RuntimeError, match="more than one value"):
        autograd.zeros(2).is_nonzero()
    with pytest.raises(RuntimeError, match="no values"):
        autograd.zeros(0).is_nonzero()
    assert autograd.zeros(2, 3).is_same_size(autograd.ones(2, 3))
    assert not autograd.is_same_size(autograd.zeros(2, 3), autograd.zeros(3, 2))


def test_strides_and_storage_offsets_count_elements():
    x = autograd.zeros(3, 4, dtype=autograd.float64)
    assert x.stride() == (4, 1) and x.stride(0) == 4 and x.stride(-1) == 1
    assert x.t().stride() == (1, 4)
    view = x[1:, 2:]
    assert view.storage_offset() == 6 and view.stride() == (4, 1)
    assert view.data_ptr() == x.data_ptr() + 6 * 8
    assert x[1].data_ptr() == x[1:].data_ptr()
    assert x.expand(2, 3, 4).stride() == (0, 4, 1)


def test_conjugate_transposes_of_real_matrices_are_transposes():
    m = autograd.arange(6.0).reshape(2, 3)
    assert m.H.tolist() == m.t().tolist()
    assert autograd.zeros(2, 3, 4).mH.shape == (2, 4, 3)
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        autograd.zeros(3).H
    with pytest.raises(RuntimeError, match="matrices or batches of matrices"):
        autograd.zeros(3).mH


def test_legacy_new_and_new_empty_strided_keep_the_dtype():
    x = autograd.zeros(2, dtype=autograd.float64)
    assert x.new().shape == (0,) and x.new().dtype == autograd.float64
    assert x.new(2, 3).shape == (2, 3)
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new([1, 2]).dtype == autograd.float64
    s = x.new_empty_strided((2, 3), (1, 2))
    assert s.shape == (2, 3) and s.stride() == (1, 2) and s.dtype == autograd.float64


def test_byte_char_and_short_casts():
    x = autograd.tensor([1.7, 300.0])
    assert x.short().dtype == autograd.int16 and x.short().tolist() == [1, 300]
    assert x[:1].char().dtype == autograd.int8 and x[:1].byte().dtype == autograd.uint8


def test_apply_and_map_run_python_callables_in_place():
    x = _f64([1.0, 2.0, 3.0])
    assert x.apply_(lambda v: v * v + 1) is x and x.tolist() == [2.0, 5.0, 10.0]
    y = _f64([[1.0, 2.0], [3.0, 4.0]])
    assert y.map_(_f64([10.0, 20.0]), lambda a, b: a + b).tolist() == [[11.0, 22.0],
                                                                        [13.0, 24.0]]
    with pytest.raises(RuntimeError, match="requires grad"):
        _f64([1.0], requires_grad=True).apply_(abs)
    with pytest.raises(RuntimeError, match="broadcast"):
        _f64([1.0, 2.0]).map_(_f64([1.0, 2.0, 3.0]), max)


def test_post_accumulate_grad_hook_sees_the_accumulated_grad_and_can_be_removed():
    w = _f64([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append((t is w,
                                                                         t.grad.tolist())))
    (w * 3.0).sum().backward()
    (w * 1.0).sum().backward()
    assert seen == [(True, [3.0, 3.0]), (True, [4.0, 4.0])]
    handle.remove()
    w.sum().backward()
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2.0).register_post_accumulate_grad_hook(print)


def test_a_post_accumulate_grad_hook_can_step_the_parameter():
    w = _f64([1.0], requires_grad=True)

    def sgd(t):
        with autograd.no_grad():
            t -= 0.5 * t.grad
        t.grad = None
    w.register_post_accumulate_grad_hook(sgd)
    (w * w).sum().backward()   # grad 2 -> w = 1 - 1
    assert w.tolist() == [0.0] and w.grad is None


# ---------------------------------------------------------------------- gamma family
def test_gamma_functions_at_known_values():
    x = _f64([0.5, 1.0, 2.0, 3.5])
    np.testing.assert_allclose(autograd.lgamma(x).numpy(), [math.log(math.sqrt(math.pi)), 0,
                                                            0, math.lgamma(3.5)], atol=1e-15)
    np.testing.assert_allclose(autograd.digamma(x[1:3]).numpy(), [-EULER, 1 - EULER],
                               rtol=1e-14)
    np.testing.assert_allclose(autograd.polygamma(1, x[1:2]).numpy(), [math.pi ** 2 / 6],
                               rtol=1e-14)
    np.testing.assert_allclose(autograd.polygamma(2, x[1:2]).numpy(), [-2.4041138063191885],
                               rtol=1e-14)  # -2 zeta(3)
    np.testing.assert_allclose(autograd.mvlgamma(_f64([2.5]), 2).numpy(),
                               [math.log(math.pi) / 2 + math.lgamma(2.5) + math.lgamma(2.0)],
                               rtol=1e-14)


def test_gamma_functions_at_poles_and_infinities():
    x = _f64([0.0, -0.0, -1.0, -2.0, np.inf, -np.inf, np.nan])
    lg = autograd.lgamma(x).numpy()
    assert np.all(np.isposinf(lg[:6])) and np.isnan(lg[6])
    dg = autograd.digamma(x).numpy()
    assert dg[0] == -np.inf and dg[1] == np.inf  # PyTorch's signs at +0 and -0
    assert np.isnan(dg[2]) and np.isnan(dg[3]) and dg[4] == np.inf and np.isnan(dg[5])
    assert autograd.lgamma(autograd.tensor([3])).dtype == autograd.float32


def test_gamma_family_rejects_bad_orders():
    with pytest.raises(RuntimeError, match="negative n"):
        autograd.polygamma(-1, _f64([1.0]))
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        autograd.mvlgamma(_f64([3.0]), 0)


def test_polygamma_has_exact_higher_derivatives():
    x = _f64([1.0], requires_grad=True)
    (g,) = autograd.grad(autograd.digamma(x).sum(), x, create_graph=True)
    (gg,) = autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), [math.pi ** 2 / 6], rtol=1e-14)
    np.testing.assert_allclose(gg.numpy(), [-2.4041138063191885], rtol=1e-14)


# ---------------------------------------------------------------------- integer and float bits
def test_bitwise_ops_and_shifts_follow_twos_complement_and_saturate():
    a = autograd.tensor([12, -7, 5])
    assert autograd.bitwise_and(a, 10).tolist() == [8, 8, 0]
    assert a.bitwise_or(autograd.tensor([1, 1, 2])).tolist() == [13, -7, 7]
    assert a.bitwise_xor(a).tolist() == [0, 0, 0]
    assert a.bitwise_not().tolist() == [-13, 6, -6]
    assert autograd.bitwise_left_shift(autograd.tensor([1, 1]),
                                       autograd.tensor([3, 64])).tolist() == [8, 0]
    assert autograd.bitwise_right_shift(autograd.tensor([-16, -16, 16]),
                                        autograd.tensor([2, 70, 70])).tolist() == [-4, -1, 0]
    assert autograd.bitwise_and(autograd.tensor([True, False]),
                                autograd.tensor([True, True])).tolist() == [True, False]


def test_integer_only_ops_reject_float_tensors_with_not_implemented_error():
    f = autograd.tensor([1.0])
    for fn in (autograd.bitwise_and, autograd.gcd, autograd.lcm, autograd.bitwise_left_shift):
        with pytest.raises(NotImplementedError, match="not implemented for 'Float'"):
            fn(f, f)
    with pytest.raises(NotImplementedError):
        autograd.bitwise_not(f)


def test_gcd_lcm_nextafter_frexp_ldexp_values():
    assert autograd.gcd(autograd.tensor([12, -18, 0]), autograd.tensor([8, 12, 0])).tolist() \
        == [4, 6, 0]
    assert autograd.lcm(autograd.tensor([4, -6, 0]), autograd.tensor([6, 4, 5])).tolist() \
        == [12, 12, 0]
    assert autograd.nextafter(_f64([1.0]), _f64([2.0])).item() == 1.0 + 2.0 ** -52
    mantissa, exponent = autograd.frexp(_f64([0.0, 1.5, -3.0, 8.0]))
    assert mantissa.tolist() == [0.0, 0.75, -0.75, 0.5] and exponent.tolist() == [0, 1, 2, 4]
    assert exponent.dtype == autograd.int32
    assert autograd.ldexp(_f64([3.0]), autograd.tensor([-1])).tolist() == [1.5]
    assert autograd.ldexp(autograd.tensor([1]), autograd.tensor([3])).dtype == autograd.float32
    assert autograd.fmod(_f64([-3.0, 3.0]), 2.0).tolist() == [-1.0, 1.0]
    assert autograd.remainder(_f64([-3.0]), 2.0).tolist() == [1.0]
    with pytest.raises(RuntimeError, match="floating-point"):
        autograd.frexp(autograd.tensor([1]))


def test_predicates_and_aliases():
    x = _f64([np.inf, -np.inf, 1.0, np.nan])
    assert autograd.isposinf(x).tolist() == [True, False, False, False]
    assert autograd.isneginf(x).tolist() == [False, True, False, False]
    assert autograd.isreal(x).tolist() == [True] * 4
    assert autograd.positive(x) is x
    assert autograd.fix(_f64([-1.5, 2.5])).tolist() == [-1.0, 2.0]
    assert x.not_equal(1.0).tolist() == [True, True, False, True]
    with pytest.raises(RuntimeError, match="bool tensor"):
        autograd.positive(autograd.tensor([True]))


# ---------------------------------------------------------------------- views and writes
def test_unfold_is_a_view_whose_writes_reach_the_input():
    x = autograd.arange(5.0)
    windows = x.unfold(0, 2, 2)
    assert windows.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    windows[1, 0] = 20.0
    assert x.tolist() == [0.0, 1.0, 20.0, 3.0, 4.0]
    assert windows._version == x._version == 1


def test_overlapping_windows_accumulate_their_gradients():
    x = _f64([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x.unfold(0, 3, 1).sum().backward()   # windows [0:3], [1:4]
    assert x.grad.tolist() == [1.0, 2.0, 2.0, 1.0]
    y = _f64([1.0, 2.0, 3.0], requires_grad=True)
    autograd.as_strided(y, (2, 2), (1, 1)).sum().backward()   # [[y0, y1], [y1, y2]]
    assert y.grad.tolist() == [1.0, 2.0, 1.0]


def test_scatter_reduce_shares_ties_and_skips_self_when_asked():
    x = _f64([5.0, 0.0], requires_grad=True)
    src = _f64([5.0, 1.0, 2.0], requires_grad=True)
    out = autograd.scatter_reduce(x, 0, autograd.tensor([0, 1, 1]), src, "amax")
    assert out.tolist() == [5.0, 2.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.5, 0.0] and src.grad.tolist() == [0.5, 0.0, 1.0]
    mean = autograd.scatter_reduce(_f64([9.0, 9.0]), 0, autograd.tensor([0, 0]),
                                   _f64([1.0, 3.0]), "mean", include_self=False)
    assert mean.tolist() == [2.0, 9.0]


def test_scatter_reduce_prod_gradient_at_an_exact_zero():
    x = _f64([2.0], requires_grad=True)
    src = _f64([0.0, 3.0], requires_grad=True)
    autograd.scatter_reduce(x, 0, autograd.tensor([0, 0]), src, "prod").sum().backward()
    assert x.grad.tolist() == [0.0] and src.grad.tolist() == [6.0, 0.0]


@pytest.mark.parametrize("call,error,match", [
    (lambda: autograd.zeros(3).select(0, 3), IndexError, "out of range"),
    (lambda: autograd.zeros(3).unfold(0, 4, 1), RuntimeError, "maximum size"),
    (lambda: autograd.zeros(3).unfold(0, 2, 0), RuntimeError, "step is 0"),
    (lambda: autograd.index_add(autograd.zeros(3), 0, autograd.tensor([0.0]),
                                autograd.zeros(1)), RuntimeError, "int32/int64"),
    (lambda: autograd.index_add(autograd.zeros(3, 2), 0, autograd.tensor([0]),
                                autograd.zeros(1, 3)), RuntimeError, r"\[3, 2\]"),
    (lambda: autograd.put(autograd.zeros(3), autograd.tensor([3]), autograd.zeros(1)),
     IndexError, "index 3 on a tensor of 3 elements"),
    (lambda: autograd.masked_scatter(autograd.zeros(2), autograd.tensor([True, True]),
                                     autograd.zeros(1)), RuntimeError, "Number of elements"),
    (lambda: autograd.scatter_reduce(autograd.zeros(2), 0, autograd.tensor([0]),
                                     autograd.zeros(1), "max"), RuntimeError, "amax"),
    (lambda: autograd.index_reduce(autograd.zeros(2), 0, autograd.tensor([0]),
                                   autograd.zeros(1), "sum"), RuntimeError, "prod, mean"),
    (lambda: autograd.select_scatter(autograd.zeros(2, 3), autograd.zeros(2), 0, 0),
     RuntimeError, r"src size = \[2\], slice size = \[3\]"),
    (lambda: autograd.matrix_power(autograd.zeros(2, 3), 2), RuntimeError, "square"),
    (lambda: autograd.vdot(autograd.zeros(2), autograd.zeros(1, 2)), RuntimeError,
     "1D tensors expected"),
    (lambda: autograd.cov(autograd.zeros(2, 2, 2)), RuntimeError, "two or fewer"),
    (lambda: autograd.zeros(3, 4).sum_to_size(2, 4), RuntimeError, "not expandable"),
    (lambda: autograd.vsplit(autograd.zeros(3), 1), RuntimeError, "at least 2 dimension"),
    (lambda: autograd.hsplit(autograd.zeros(3, 5), 2), RuntimeError, "not divisible"),
    (lambda: autograd.renorm(autograd.zeros(2, 2), 2, 0, -1.0), RuntimeError, "maxnorm"),
    (lambda: autograd.prelu(autograd.zeros(2, 3), autograd.zeros(2)), RuntimeError,
     "channel size = 3"),
    (lambda: autograd.hardshrink(autograd.tensor([1, 2])), NotImplementedError, "hardshrink"),
])
def test_bad_input_raises_pytorchs_exception_type(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_cov_with_weights_by_hand():
    x = _f64([[0.0, 1.0, 2.0]])
    # fweights (1, 2, 1): mean 1, sum w (x - 1)^2 = 2, divided by sum w - 1 = 3
    assert autograd.cov(x, fweights=autograd.tensor([1, 2, 1])).item() == pytest.approx(2 / 3)
    assert autograd.cov(x, correction=0).item() == pytest.approx(2 / 3)
    c = autograd.corrcoef(_f64([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    assert c.tolist() == [[1.0, -1.0], [-1.0, 1.0]]


def test_matrix_power_by_hand():
    a = _f64([[1.0, 1.0], [0.0, 1.0]])
    assert autograd.matrix_power(a, 3).tolist() == [[1.0, 3.0], [0.0, 1.0]]
    assert autograd.matrix_power(a, -2).tolist() == [[1.0, -2.0], [0.0, 1.0]]
    assert autograd.matrix_power(a, 0).tolist() == [[1.0, 0.0], [0.0, 1.0]]
