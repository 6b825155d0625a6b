"""Registry-driven value tests: every op against its NumPy reference, one test case per op.

Each example draws shapes (broadcasting, size-1 dims, 0-d, empty dims), values inside the op's
domain and extra arguments, then compares our result with the reference in float64 and in
float32 (drawn per example; float32 outputs must stay float32, Python scalars included).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd.testing import registry
from autograd.testing.properties import check_values

# Half the profile's examples per op (each draws float64 or float32): ~90 ops x 3 tests must
# stay within the suite's time budget.
_fewer = settings(max_examples=max(5, settings().max_examples // 2))


def _over(specs):
    """One test case per spec, named family-op (every registered op, so none can be missed)."""
    return pytest.mark.parametrize("name", [s.name for s in specs],
                                   ids=[f"{s.family}-{s.name}" for s in specs])


@_over(registry.specs())
@_fewer
@given(data=st.data())
def test_values_match_numpy(name, data):
    spec = registry.get(name)
    dtypes = [np.float64, np.float32] if spec.float32 else [np.float64]
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    arrays, kwargs = data.draw(spec.inputs(dtype), label="inputs")
    check_values(spec, arrays, kwargs, dtype)


# ---------------------------------------------------------------------- core bugs
# Fixed ones stay as regression tests. Known ones are strict xfails; those the property tests
# above would hit are excluded there through a flag in autograd/testing/_core_bugs.py: when a
# fix makes one pass, remove its xfail mark (and set its flag to True).
_REDUCTIONS_WITH_DIM = {
    "sum": lambda x, d: autograd.sum(x, d),
    "mean": lambda x, d: autograd.mean(x, d, keepdim=True),
    "prod": lambda x, d: autograd.prod(x, d),
    "amax": lambda x, d: autograd.amax(x, d),
    "logsumexp": lambda x, d: autograd.logsumexp(x, d),
    "norm": lambda x, d: autograd.norm(x, 2, d),
    "var": lambda x, d: autograd.var(x, d, correction=0),
    "cumsum": lambda x, d: autograd.cumsum(x, d),
}


@pytest.mark.parametrize("name", sorted(_REDUCTIONS_WITH_DIM))
def test_reduction_accepts_dim_0_and_minus_1_on_a_0d_tensor(name):
    x = autograd.tensor(1.5, dtype=autograd.float64, requires_grad=True)
    for dim in (0, -1):
        y = _REDUCTIONS_WITH_DIM[name](x, dim)
        assert y.shape == ()
        y.backward()


def test_cumprod_requiring_grad_over_an_empty_dim_is_empty():
    x = autograd.zeros(2, 0, requires_grad=True)
    assert autograd.cumprod(x, 1).shape == (2, 0)


def test_flatten_keeps_an_empty_dim_outside_the_range():
    assert autograd.zeros(1, 0).flatten(0, 0).shape == (1, 0)
    assert autograd.zeros(0, 2, 3).flatten(1, 2).shape == (0, 6)


def test_split_and_chunk_of_an_empty_dim_return_empty_pieces():
    assert [t.shape for t in autograd.split(autograd.zeros(0), 1)] == [(0,)]
    assert [t.shape for t in autograd.chunk(autograd.zeros(0, 2), 3)] == [(0, 2)] * 3


def test_pad_of_a_0d_tensor_with_no_padding_returns_it():
    assert float(autograd.pad(autograd.tensor(1.5), ())) == 1.5


def test_softmax_of_a_tensor_with_an_empty_dim_is_empty():
    assert autograd.softmax(autograd.zeros(0, 3), 0).shape == (0, 3)
    assert autograd.log_softmax(autograd.zeros(2, 0), 0).shape == (2, 0)


def test_amax_over_a_non_empty_dim_of_an_empty_tensor_is_empty():
    assert autograd.amax(autograd.zeros(2, 0), 0).shape == (0,)


def test_logsumexp_over_an_empty_dim_is_minus_infinity():
    out = autograd.logsumexp(autograd.zeros(2, 0), 1)
    assert out.shape == (2,) and np.all(np.isneginf(out.numpy()))


def test_sum_and_mean_with_an_empty_dim_tuple_reduce_everything():
    x = autograd.ones(2, 3)
    assert float(autograd.sum(x, dim=())) == 6.0
    assert float(autograd.mean(x, dim=())) == 1.0
