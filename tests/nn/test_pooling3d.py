"""The 3-D poolings without PyTorch: hand-computed values, indices and gradients, errors (the
arithmetic is checked against loop references by the op registry)."""
import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


def _cube():
    return autograd.arange(8.0).reshape(1, 1, 2, 2, 2).requires_grad_()


def test_max_pool3d_picks_the_largest_and_routes_the_gradient_there():
    x = _cube()
    y, idx = F.max_pool3d(x, 2, return_indices=True)
    assert y.tolist() == [[[[[7.0]]]]] and idx.tolist() == [[[[[7]]]]]
    y.sum().backward()
    assert x.grad.numpy().reshape(-1).tolist() == [0.0] * 7 + [1.0]
    # unpooling puts 7 back at flat index 7 of the 2 x 2 x 2 volume
    assert nn.MaxUnpool3d(2)(y.detach(), idx).numpy().reshape(-1).tolist() == [0.0] * 7 + [7.0]


def test_avg_pool3d_divisors_with_padding():
    x = autograd.ones(1, 1, 2, 2, 2, requires_grad=True)
    # padding 1 with kernel 2: each output window holds one real element of eight
    assert F.avg_pool3d(x, 2, padding=1).detach().numpy().reshape(-1).tolist() == [0.125] * 8
    assert F.avg_pool3d(x, 2, padding=1, count_include_pad=False).detach().numpy().reshape(
        -1).tolist() == [1.0] * 8
    assert F.avg_pool3d(x, 2, divisor_override=2).tolist() == [[[[[4.0]]]]]
    nn.AvgPool3d(2)(x).sum().backward()
    assert x.grad.numpy().reshape(-1).tolist() == [0.125] * 8


def test_adaptive_pool3d_uneven_windows():
    x = autograd.arange(3.0).reshape(1, 1, 1, 1, 3)
    # two windows over three: [0, 2) and [1, 3)
    assert F.adaptive_avg_pool3d(x, (1, 1, 2)).tolist() == [[[[[0.5, 1.5]]]]]
    y, idx = nn.AdaptiveMaxPool3d((1, 1, 2), return_indices=True)(x)
    assert y.tolist() == [[[[[1.0, 2.0]]]]] and idx.tolist() == [[[[[1, 2]]]]]
    assert nn.AdaptiveAvgPool3d((None, 1, 1))(autograd.ones(2, 4, 3, 5)).shape == (2, 4, 1, 1)


def test_pool3d_errors_and_no_double_backward():
    with pytest.raises(RuntimeError, match="too small for kernel"):
        F.max_pool3d(autograd.randn(1, 1, 1, 4, 4), 2)
    with pytest.raises(ValueError, match="kernel_size must be"):
        F.avg_pool3d(autograd.randn(1, 1, 4, 4, 4), (2, 2))
    with pytest.raises(ValueError, match="output_size must be an int or a tuple of 3"):
        F.adaptive_max_pool3d(autograd.randn(1, 1, 4, 4, 4), (2, 2))
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool3d(autograd.ones(1, 1, 1, 1, 1), autograd.tensor([[[[[9]]]]]), 2)
    x = autograd.randn(1, 1, 2, 2, 2, dtype=autograd.float64, requires_grad=True)
    for y in (F.max_pool3d(x, 2), F.avg_pool3d(x, 2), F.adaptive_max_pool3d(x, 1)):
        with pytest.raises(RuntimeError, match="does not support double backward"):
            autograd.grad(y.sum(), x, create_graph=True)
