"""autograd.testing: the strategies keep their promises (domains, kinks, ties, valid dims and
indices) and the one-call property catches a planted bug."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd.gradcheck import GradcheckError
from autograd.testing import Domain, assert_gradients_match_finite_differences
from autograd.testing import strategies as ts


@given(ts.float_arrays(ts.shapes(), Domain(-2.0, 2.0, avoid=(0.0, 1.0), gap=0.2)))
def test_float_arrays_stay_inside_the_domain_and_clear_of_its_kinks(a):
    assert a.dtype == np.float64
    assert np.all((a >= -2.0) & (a <= 2.0))
    assert np.all(np.abs(a) >= 0.2 - 1e-12) and np.all(np.abs(a - 1.0) >= 0.2 - 1e-12)


@given(ts.float_arrays((4,), Domain(window=(0.05, 0.45))),
       ts.float_arrays((4,), Domain(window=(0.55, 0.95))))
def test_disjoint_windows_never_tie(a, b):
    assert np.all(np.abs(a - b) >= 0.1 - 1e-12)


@given(ts.float_arrays(ts.shapes(min_dims=1), Domain(-3.0, 3.0, distinct=0.05),
                       dtype=np.float32))
def test_distinct_arrays_have_spaced_values_in_the_requested_dtype(a):
    assert a.dtype == np.float32
    flat = np.sort(a.ravel().astype(np.float64))
    assert np.all(np.diff(flat) > 0.05) and np.all((flat >= -3.0) & (flat <= 3.0))


@given(st.data())
def test_broadcastable_shapes_broadcast(data):
    shapes = data.draw(ts.broadcastable_shapes(3))
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)


@given(st.data())
def test_dims_are_valid_for_the_shape(data):
    shape = data.draw(ts.shapes())
    dim = data.draw(ts.dims(len(shape), allow_none=True, allow_tuple=True))
    if dim is None:
        return
    for d in (dim if isinstance(dim, tuple) else (dim,)):
        assert -max(len(shape), 1) <= d < max(len(shape), 1)
    if isinstance(dim, tuple):
        assert len({d % len(shape) for d in dim}) == len(dim)


@given(st.data())
def test_index_expressions_are_valid_numpy_indices_even_with_empty_dims(data):
    shape = data.draw(ts.shapes(min_dims=1, min_side=0))
    key = data.draw(ts.index_expressions(shape))
    np.zeros(shape)[key]  # must not raise


@given(st.data())
def test_unique_integer_indices_never_repeat_a_position(data):
    shape = data.draw(ts.shapes(min_dims=1, min_side=2))
    key = data.draw(ts.advanced_indices(shape, unique=True, allow_mask=False))
    target = np.zeros(shape)
    np.add.at(target, key, 1.0)
    assert target.max(initial=0.0) <= 1.0  # every addressed element written once


def test_the_strategies_find_repeated_indices_and_masks():
    from hypothesis import find
    repeated = find(ts.advanced_indices((4, 3)),
                    lambda k: isinstance(k[0], np.ndarray) and k[0].dtype != bool
                    and len(set((k[0] % 4).tolist())) < k[0].size)
    assert repeated[0].size >= 2
    find(ts.advanced_indices((4, 3)), lambda k: any(getattr(a, "dtype", None) == bool for a in k))


@given(ts.tensors(ts.shapes(max_dims=2), Domain(0.5, 2.0)))
def test_tensors_are_leaves_requiring_grad(x):
    assert x.is_leaf and x.requires_grad and x.dtype == autograd.float64


def test_the_one_call_property_passes_a_correct_function():
    assert_gradients_match_finite_differences(
        lambda x, y: (x * y).tanh() / (1.0 + y * y),
        ts.float_arrays(ts.shapes(max_dims=2)), ts.float_arrays(ts.shapes(max_dims=0)),
        max_examples=10, double_backward=True)


class _SoftsignWrongSign(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1.0 + x.abs())

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -g / ((1.0 + x.abs()) * (1.0 + x.abs()))


def test_the_one_call_property_catches_a_planted_bug_with_a_shrunk_input():
    with pytest.raises((GradcheckError, BaseExceptionGroup)) as info:
        assert_gradients_match_finite_differences(
            _SoftsignWrongSign.apply, ts.float_arrays(ts.shapes(), Domain(avoid=(0.0,))),
            max_examples=20)
    assert "input 0" in str(info.value)


def test_the_one_call_property_passes_non_array_draws_through():
    seen = []

    def f(x, k):
        seen.append(k)
        return (x * k).sum()
    assert_gradients_match_finite_differences(f, ts.float_arrays((3,)), st.integers(1, 3),
                                              settings=settings(max_examples=5, database=None))
    assert seen and all(isinstance(k, int) for k in seen)
