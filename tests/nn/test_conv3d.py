"""Conv3d / ConvTranspose3d without PyTorch: hand-computed values, init bounds, errors (the
arithmetic and gradients are checked against loop references by the op registry)."""
import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


def test_a_box_kernel_sums_each_window():
    x = autograd.arange(8.0).reshape(1, 1, 2, 2, 2).requires_grad_()
    y = F.conv3d(x, autograd.ones(1, 1, 2, 2, 2), autograd.tensor([0.5]))
    assert y.tolist() == [[[[[28.5]]]]]  # 0 + 1 + ... + 7 = 28
    y.sum().backward()
    assert x.grad.tolist() == np.ones((1, 1, 2, 2, 2)).tolist()


def test_one_by_one_conv3d_mixes_channels_and_stride_skips_positions():
    x = autograd.arange(16.0).reshape(1, 2, 2, 2, 2)
    w = autograd.tensor([1.0, -1.0]).reshape(1, 2, 1, 1, 1)
    y = F.conv3d(x, w, stride=2)
    assert y.tolist() == [[[[[-8.0]]]]]  # x[0, 0, 0, 0, 0] - x[0, 1, 0, 0, 0] = 0 - 8


def test_conv_transpose3d_spreads_each_input_over_its_window():
    x = autograd.tensor([[[[[1.0, 2.0]]]]])  # (1, 1, 1, 1, 2)
    w = autograd.ones(1, 1, 1, 1, 2)
    y = F.conv_transpose3d(x, w, stride=(1, 1, 2))
    assert y.tolist() == [[[[[1.0, 1.0, 2.0, 2.0]]]]]
    y = F.conv_transpose3d(x, w)  # overlapping windows add up
    assert y.tolist() == [[[[[1.0, 3.0, 2.0]]]]]


def test_conv3d_layer_shapes_init_and_reflect_padding():
    conv = nn.Conv3d(4, 6, (3, 2, 1), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2, 1) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 3 * 2 * 1)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    # OD = (5 + 2 - 3) // 2 + 1 = 3, OH = (6 + 2 - 2) // 2 + 1 = 4, OW = (7 + 2 - 1) // 2 + 1 = 5
    assert conv(autograd.randn(2, 4, 5, 6, 7)).shape == (2, 6, 3, 4, 5)
    assert conv(autograd.randn(4, 5, 6, 7)).shape == (6, 3, 4, 5)
    # reflect padding of [a, b] by one is [b, a, b, a]: a width-1 box kernel reads it back
    refl = nn.Conv3d(1, 1, 1, padding=(0, 0, 1), padding_mode="reflect", bias=False)
    refl.weight.data = autograd.ones(1, 1, 1, 1, 1)
    assert refl(autograd.tensor([[[[[1.0, 2.0]]]]])).tolist() == [[[[[2.0, 1.0, 2.0, 1.0]]]]]
    tconv = nn.ConvTranspose3d(4, 6, 3, groups=2)
    assert tconv.weight.shape == (4, 3, 3, 3, 3)


def test_conv3d_errors_name_the_shapes_and_dtypes():
    x = autograd.randn(1, 3, 4, 4, 4)
    with pytest.raises(RuntimeError, match=r"\(1, 3, 4, 4, 4\) has 3 channels"):
        F.conv3d(x, autograd.randn(2, 2, 3, 3, 3))
    with pytest.raises(RuntimeError, match="5-D input"):
        F.conv3d(autograd.randn(4, 4), autograd.randn(2, 3, 3, 3, 3))
    with pytest.raises(RuntimeError, match="smaller than the dilated kernel"):
        F.conv3d(x, autograd.randn(2, 3, 3, 3, 3), dilation=2)
    with pytest.raises(ValueError, match="not supported for strided"):
        F.conv3d(x, autograd.randn(2, 3, 3, 3, 3), padding="same", stride=2)
    with pytest.raises(ValueError, match="stride must be"):
        F.conv3d(x, autograd.randn(2, 3, 3, 3, 3), stride=(1, 2))
    with pytest.raises(TypeError, match="float32 and weight dtype float64"):
        F.conv3d(x, autograd.randn(2, 3, 3, 3, 3, dtype=autograd.float64))
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose3d(x, autograd.randn(3, 2, 3, 3, 3), output_padding=1)


def test_conv3d_refuses_double_backward():
    x = autograd.randn(1, 1, 3, 3, 3, dtype=autograd.float64, requires_grad=True)
    w = autograd.randn(1, 1, 2, 2, 2, dtype=autograd.float64, requires_grad=True)
    for y in (F.conv3d(x, w), F.conv_transpose3d(x, w)):
        with pytest.raises(RuntimeError, match="does not support double backward"):
            autograd.grad(y.sum(), x, create_graph=True)
