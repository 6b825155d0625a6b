"""Pooling, adaptive pooling and unpooling against PyTorch on the same float64 inputs: values,
indices and input gradients for every option combination (skipped when torch is missing)."""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(0)


def _pair(shape):
    x = RNG.standard_normal(shape)
    return (autograd.tensor(x, dtype=autograd.float64, requires_grad=True),
            torch.tensor(x, dtype=torch.float64, requires_grad=True))


def _check(ours, theirs, a, b):
    """Values (and indices) equal; the input gradients of a random upstream gradient equal."""
    if isinstance(theirs, tuple):
        (ours, idx_a), (theirs, idx_b) = ours, theirs
        assert idx_a.dtype == autograd.int64
        np.testing.assert_array_equal(idx_a.numpy(), idx_b.numpy())
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    g = RNG.standard_normal(tuple(theirs.shape))
    ours.backward(autograd.tensor(g))
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


MAX_2D = list(itertools.product([3, (2, 3)], [None, 2, (1, 2)], [0, 1], [1, (2, 1)],
                                [False, True]))


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", MAX_2D)
def test_max_pool2d_values_indices_and_gradients_match_torch(kernel, stride, padding, dilation,
                                                             ceil_mode):
    a, b = _pair((2, 3, 8, 7))
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
              ceil_mode=ceil_mode, return_indices=True)
    _check(F.max_pool2d(a, **kw), TF.max_pool2d(b, **kw), a, b)


@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode",
                         list(itertools.product([2, 3], [None, 2], [0, 1], [1, 2],
                                                [False, True])))
def test_max_pool1d_matches_torch(kernel, stride, padding, dilation, ceil_mode):
    a, b = _pair((2, 3, 9))
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
              ceil_mode=ceil_mode, return_indices=True)
    _check(F.max_pool1d(a, **kw), TF.max_pool1d(b, **kw), a, b)


AVG_2D = list(itertools.product([3, (2, 3)], [None, 2, (1, 2)], [0, 1], [False, True],
                                [False, True], [None, 5]))


@pytest.mark.parametrize("kernel,stride,padding,ceil_mode,count_include_pad,divisor", AVG_2D)
def test_avg_pool2d_matches_torch(kernel, stride, padding, ceil_mode, count_include_pad,
                                  divisor):
    a, b = _pair((2, 3, 8, 7))
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
              count_include_pad=count_include_pad, divisor_override=divisor)
    _check(F.avg_pool2d(a, **kw), TF.avg_pool2d(b, **kw), a, b)


@pytest.mark.parametrize("ceil_mode,count_include_pad", itertools.product([False, True],
                                                                          [False, True]))
def test_avg_pool1d_matches_torch(ceil_mode, count_include_pad):
    a, b = _pair((2, 3, 10))
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=ceil_mode,
              count_include_pad=count_include_pad)
    _check(F.avg_pool1d(a, **kw), TF.avg_pool1d(b, **kw), a, b)


ADAPTIVE_2D = [(3, 4), (5, None), 1, (7, 6), (4, 3), (2, 5), (None, 4), (10, 9)]


@pytest.mark.parametrize("output_size", ADAPTIVE_2D)
def test_adaptive_pool2d_matches_torch_for_any_output_size(output_size):
    a, b = _pair((2, 3, 7, 6))
    _check(F.adaptive_avg_pool2d(a, output_size), TF.adaptive_avg_pool2d(b, output_size), a, b)
    a, b = _pair((2, 3, 7, 6))
    _check(F.adaptive_max_pool2d(a, output_size, True),
           TF.adaptive_max_pool2d(b, output_size, True), a, b)


@pytest.mark.parametrize("output_size", [1, 3, 4, 7, 10, 13])
def test_adaptive_pool1d_matches_torch(output_size):
    a, b = _pair((2, 3, 10))
    _check(F.adaptive_avg_pool1d(a, output_size), TF.adaptive_avg_pool1d(b, output_size), a, b)
    a, b = _pair((3, 10))  # unbatched
    _check(F.adaptive_max_pool1d(a, output_size, True),
           TF.adaptive_max_pool1d(b, output_size, True), a, b)


@pytest.mark.parametrize("kernel,stride,padding,output_size",
                         [(2, None, 0, None), (3, 2, 1, (9, 8)), (3, 2, 1, (1, 3, 9, 8)),
                          ((2, 3), (2, 2), (1, 0), (9, 8))])
def test_max_unpool2d_inverts_max_pool2d_as_torch(kernel, stride, padding, output_size):
    x = RNG.standard_normal((2, 3, 8, 8) if output_size is None else (2, 3, 9, 8))
    y, idx = TF.max_pool2d(torch.tensor(x), kernel, stride, padding, return_indices=True)
    a, b = _pair(tuple(y.shape))
    ours = F.max_unpool2d(a, autograd.tensor(idx.numpy()), kernel, stride, padding, output_size)
    theirs = TF.max_unpool2d(b, idx, kernel, stride, padding, output_size)
    _check(ours, theirs, a, b)


def test_max_unpool1d_matches_torch():
    y, idx = TF.max_pool1d(torch.randn(2, 3, 11, dtype=torch.float64), 3, 2, 1,
                           return_indices=True)
    a, b = _pair(tuple(y.shape))
    _check(nn.MaxUnpool1d(3, 2, 1)(a, autograd.tensor(idx.numpy()), output_size=(11,)),
           torch.nn.MaxUnpool1d(3, 2, 1)(b, idx, output_size=(11,)), a, b)


MODULES = [
    ("MaxPool2d-ceil", lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True, return_indices=True),
     (2, 3, 8, 8)),
    ("MaxPool1d-ceil", lambda m: m.MaxPool1d(2, ceil_mode=True), (2, 3, 9)),
    ("AvgPool2d-options", lambda m: m.AvgPool2d(3, 2, 1, ceil_mode=True,
                                                count_include_pad=False), (2, 3, 8, 8)),
    ("AvgPool2d-divisor", lambda m: m.AvgPool2d(2, divisor_override=3), (2, 3, 6, 6)),
    ("AvgPool1d-ceil", lambda m: m.AvgPool1d(2, ceil_mode=True), (2, 3, 9)),
    ("AdaptiveAvgPool2d", lambda m: m.AdaptiveAvgPool2d((3, 5)), (2, 3, 8, 7)),
    ("AdaptiveAvgPool1d", lambda m: m.AdaptiveAvgPool1d(4), (2, 3, 9)),
    ("AdaptiveMaxPool2d", lambda m: m.AdaptiveMaxPool2d((3, None), True), (2, 3, 8, 7)),
    ("AdaptiveMaxPool1d", lambda m: m.AdaptiveMaxPool1d(4), (2, 3, 9)),
]


@pytest.mark.parametrize("name,make,shape", MODULES, ids=[m[0] for m in MODULES])
def test_pooling_modules_match_torch(name, make, shape):
    a, b = _pair(shape)
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    _check(ours(a), theirs(b), a, b)


def test_unpool_errors_match_torch_types():
    y = torch.randn(1, 1, 2, 2)
    bad = torch.tensor([[[[0, 1], [2, 99]]]])
    with pytest.raises(RuntimeError):
        TF.max_unpool2d(y, bad, 2)
    with pytest.raises(RuntimeError, match="invalid max index: 99 .*4x4"):
        F.max_unpool2d(autograd.tensor(y.numpy()), autograd.tensor(bad.numpy()), 2)
