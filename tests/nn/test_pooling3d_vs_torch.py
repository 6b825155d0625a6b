"""The 3-D poolings and their layers against PyTorch in float64: values, indices and input
gradients for every option combination (skipped when torch is missing)."""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(5)


def _both(shape):
    x = RNG.standard_normal(shape)
    return (autograd.tensor(x, dtype=autograd.float64, requires_grad=True),
            torch.tensor(x, dtype=torch.float64, requires_grad=True))


def _check(ya, yb, xa, xb):
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-12, atol=1e-12)


# (kernel, stride, padding)
GEOMETRY = [(2, None, 0), (3, 2, 1), ((3, 2, 1), (1, 2, 1), (1, 1, 0)), ((2, 3, 3), 2, (1, 0, 1))]


@pytest.mark.parametrize("geometry,dilation,ceil_mode,batched", list(itertools.product(
    GEOMETRY, [1, (1, 2, 1)], [False, True], [True, False])))
def test_max_pool3d_matches_torch(geometry, dilation, ceil_mode, batched):
    kernel, stride, padding = geometry
    xa, xb = _both((2, 3, 5, 6, 7) if batched else (3, 5, 6, 7))
    ya, ia = F.max_pool3d(xa, kernel, stride, padding, dilation, ceil_mode, True)
    yb, ib = TF.max_pool3d(xb, kernel, stride, padding, dilation, ceil_mode, True)
    assert ia.dtype == autograd.int64
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    _check(ya, yb, xa, xb)
    # the indices unpool back to where PyTorch puts them (when it accepts the size)
    try:
        theirs = TF.max_unpool3d(yb.detach(), ib, kernel, stride, padding,
                                 output_size=xb.shape[-3:])
    except ValueError:
        with pytest.raises(ValueError, match="invalid output_size"):
            F.max_unpool3d(ya.detach(), ia, kernel, stride, padding, output_size=xa.shape[-3:])
    else:
        ours = F.max_unpool3d(ya.detach(), ia, kernel, stride, padding, output_size=xa.shape[-3:])
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("geometry,ceil_mode,count_include_pad,divisor", list(itertools.product(
    GEOMETRY, [False, True], [True, False], [None, 5])))
def test_avg_pool3d_matches_torch(geometry, ceil_mode, count_include_pad, divisor):
    kernel, stride, padding = geometry
    xa, xb = _both((2, 3, 5, 6, 7))
    args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor)
    _check(F.avg_pool3d(xa, *args), TF.avg_pool3d(xb, *args), xa, xb)


@pytest.mark.parametrize("output_size", [1, 2, (2, 3, 4), (5, None, 3), (3, 4, 7), (4, 1, 6)])
def test_adaptive_pool3d_matches_torch(output_size):
    xa, xb = _both((2, 3, 5, 6, 7))
    _check(F.adaptive_avg_pool3d(xa, output_size), TF.adaptive_avg_pool3d(xb, output_size),
           xa, xb)
    xa, xb = _both((3, 5, 6, 7))
    ya, ia = F.adaptive_max_pool3d(xa, output_size, return_indices=True)
    yb, ib = TF.adaptive_max_pool3d(xb, output_size, return_indices=True)
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    _check(ya, yb, xa, xb)


def test_max_unpool3d_gradient_and_default_size_match_torch():
    x = RNG.standard_normal((1, 2, 4, 4, 6))
    ya, ia = F.max_pool3d(autograd.tensor(x), 2, return_indices=True)
    yb, ib = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    va, vb = autograd.tensor(ya.numpy(), requires_grad=True), torch.tensor(yb.numpy(),
                                                                            requires_grad=True)
    _check(nn.MaxUnpool3d(2)(va, ia), torch.nn.MaxUnpool3d(2)(vb, ib), va, vb)


def test_layers_and_reprs_match_torch():
    pairs = [(nn.MaxPool3d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool3d(3, 2, 1, ceil_mode=True)),
             (nn.AvgPool3d(2, padding=1, count_include_pad=False),
              torch.nn.AvgPool3d(2, padding=1, count_include_pad=False)),
             (nn.AdaptiveAvgPool3d((2, None, 3)), torch.nn.AdaptiveAvgPool3d((2, None, 3))),
             (nn.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        xa, xb = _both((2, 3, 5, 6, 7))
        _check(ours(xa), theirs(xb), xa, xb)
    assert repr(nn.MaxUnpool3d(2, 1)) == repr(torch.nn.MaxUnpool3d(2, 1))


def test_bad_input_raises_like_torch():
    for fn, tfn, args in [(F.max_pool3d, TF.max_pool3d, (2,)), (F.avg_pool3d, TF.avg_pool3d, (2,)),
                          (F.adaptive_max_pool3d, TF.adaptive_max_pool3d, (2,)),
                          (F.adaptive_avg_pool3d, TF.adaptive_avg_pool3d, (2,))]:
        with pytest.raises(RuntimeError):
            tfn(torch.randn(2, 3), *args)
        with pytest.raises(RuntimeError, match=r"4-D or 5-D input, got shape \(2, 3\)"):
            fn(autograd.randn(2, 3), *args)
    with pytest.raises(RuntimeError):
        TF.avg_pool3d(torch.randn(1, 1, 2, 2, 2), 2, padding=2)
    with pytest.raises(RuntimeError, match="at most half of kernel size"):
        F.avg_pool3d(autograd.randn(1, 1, 2, 2, 2), 2, padding=2)
