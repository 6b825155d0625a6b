"""Conv2d, the pooling layers and Dropout2d: shapes, init, errors (the arithmetic and gradients
are checked against loop references by the op registry, and against PyTorch when installed)."""
import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


def test_conv2d_output_shape_init_bounds_and_repr():
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 3 * 2)  # fan_in = in_channels / groups * kh * kw
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    assert np.abs(conv.weight.detach().numpy()).max() <= bound  # kaiming_uniform, a=sqrt(5)
    # OH = (7 + 2 - 2 - 1) // 2 + 1 = 4, OW = (5 + 2 - 1 - 1) // 2 + 1 = 3
    assert conv(autograd.randn(2, 4, 7, 5)).shape == (2, 6, 4, 3)
    assert conv(autograd.randn(4, 7, 5)).shape == (6, 4, 3)  # unbatched
    assert repr(conv) == "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), groups=2)"


def test_a_one_by_one_convolution_is_a_matmul_over_channels():
    x = autograd.tensor(np.arange(12.0).reshape(1, 3, 2, 2))
    w = autograd.tensor(np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]]).reshape(2, 3, 1, 1))
    y = F.conv2d(x, w)
    expected = np.einsum("oc,nchw->nohw", w.numpy()[:, :, 0, 0], x.numpy())
    np.testing.assert_allclose(y.numpy(), expected)


def test_conv2d_errors_name_the_shapes():
    x = autograd.randn(1, 3, 5, 5)
    with pytest.raises(RuntimeError, match=r"\(1, 3, 5, 5\) has 3 channels.*\(2, 4, 3, 3\)"):
        F.conv2d(x, autograd.randn(2, 4, 3, 3))
    with pytest.raises(RuntimeError, match="smaller than the dilated kernel"):
        F.conv2d(x, autograd.randn(2, 3, 3, 3), dilation=3)
    with pytest.raises(ValueError, match="padding must be 'valid', 'same'"):
        F.conv2d(x, autograd.randn(2, 3, 3, 3), padding="full")
    with pytest.raises(RuntimeError, match="4-D input"):
        F.conv2d(autograd.randn(5, 5), autograd.randn(2, 3, 3, 3))


def test_conv2d_and_pooling_refuse_double_backward():
    x = autograd.randn(1, 1, 4, 4, dtype=autograd.float64, requires_grad=True)
    w = autograd.randn(1, 1, 2, 2, dtype=autograd.float64, requires_grad=True)
    for y in (F.conv2d(x, w), F.max_pool2d(x, 2), F.avg_pool2d(x, 2)):
        with pytest.raises(RuntimeError, match="does not support double backward"):
            autograd.grad(y.sum(), x, create_graph=True)


def test_max_pool_picks_each_window_maximum_and_routes_the_gradient_there():
    x = autograd.tensor(np.array([[[[1.0, 5.0, 2.0, 0.0],
                                    [3.0, 4.0, 7.0, 6.0]]]]), requires_grad=True)
    y = nn.MaxPool2d(2)(x)
    assert y.tolist() == [[[[5.0, 7.0]]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]]]


def test_avg_and_adaptive_pooling():
    x = autograd.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    assert nn.AvgPool2d(2)(x).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    assert nn.AdaptiveAvgPool2d(1)(x).tolist() == [[[[7.5]]]]
    assert nn.AdaptiveAvgPool2d((2, None))(x).shape == (1, 1, 2, 4)
    # windows [floor(4i / 3), ceil(4(i + 1) / 3)) are the overlapping 2 x 2 blocks at (i, j):
    # the mean of 4r + c over the block at (i, j) is 4i + j + 2.5
    assert nn.AdaptiveAvgPool2d(3)(x).tolist() == [[[[2.5, 3.5, 4.5], [6.5, 7.5, 8.5],
                                                     [10.5, 11.5, 12.5]]]]
    with pytest.raises(RuntimeError, match="too small for kernel"):
        F.max_pool2d(x, 5)


def test_dropout2d_zeroes_whole_channels_and_is_the_identity_in_eval():
    autograd.manual_seed(0)
    drop = nn.Dropout2d(0.5)
    x = autograd.ones(8, 16, 3, 3)
    y = drop(x).numpy()
    per_channel = y.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(axis=2) | (per_channel == 2.0).all(axis=2))
    assert 0 < (per_channel[:, :, 0] == 0).sum() < 8 * 16
    drop.eval()
    assert drop(x) is x


def test_one_dimensional_layers_run_as_height_one_images():
    conv = nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3)
    assert repr(conv) == "Conv1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), groups=2)"
    assert conv(autograd.randn(2, 4, 11)).shape == (2, 6, 6)  # (11 + 2 - 3) // 2 + 1
    assert conv(autograd.randn(4, 11)).shape == (6, 6)
    x = autograd.tensor(np.array([[[1.0, 4.0, 2.0, 3.0, 0.0]]]))
    assert nn.MaxPool1d(2)(x).tolist() == [[[4.0, 3.0]]]
    assert nn.AvgPool1d(2, 1)(x).tolist() == [[[2.5, 3.0, 2.5, 1.5]]]
    with pytest.raises(RuntimeError, match=r"expected a 2-D or 3-D input.*\(1, 1, 1, 5\)"):
        F.max_pool1d(x.unsqueeze(0), 2)


def test_ceil_mode_adds_a_last_partial_window_and_indices_point_into_the_plane():
    x = autograd.tensor(np.array([[[[1.0, 5.0, 2.0, 0.0, 9.0],
                                    [3.0, 4.0, 7.0, 6.0, 8.0],
                                    [0.5, 0.0, 0.0, 0.0, 0.0]]]]), requires_grad=True)
    y, idx = F.max_pool2d(x, 2, ceil_mode=True, return_indices=True)
    assert y.tolist() == [[[[5.0, 7.0, 9.0], [0.5, 0.0, 0.0]]]]
    assert idx.tolist() == [[[[1, 7, 4], [10, 12, 14]]]]  # first largest: row * 5 + col
    assert F.max_pool2d(x, 2).shape == (1, 1, 1, 2)  # floor mode drops the partial windows
    y.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0, 0.0],
                                 [1.0, 0.0, 1.0, 0.0, 1.0]]]]


def test_avg_pool_divisors_with_padding_ceil_mode_and_override():
    x = autograd.ones(1, 1, 3, 3)
    # padding 1, kernel 2, stride 2: windows hold 1, 2 and 4 real elements out of 4
    assert F.avg_pool2d(x, 2, 2, 1).tolist() == [[[[0.25, 0.5], [0.5, 1.0]]]]
    assert F.avg_pool2d(x, 2, 2, 1, count_include_pad=False).tolist() == [[[[1.0, 1.0],
                                                                             [1.0, 1.0]]]]
    # ceil_mode without padding: the last windows are cut at the input's edge
    assert F.avg_pool2d(x, 2, ceil_mode=True).tolist() == [[[[1.0, 1.0], [1.0, 1.0]]]]
    assert F.avg_pool2d(x, 2, divisor_override=2).tolist() == [[[[2.0]]]]
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(x, 2, divisor_override=0)


def test_adaptive_max_pool_overlapping_windows_and_unpooling():
    x = autograd.tensor(np.array([[[3.0, 1.0, 4.0, 1.0, 5.0]]]), requires_grad=True)
    # L = 5 into 3 windows: [0, 2), [1, 4), [3, 5)
    y, idx = nn.AdaptiveMaxPool1d(3, return_indices=True)(x)
    assert y.tolist() == [[[3.0, 4.0, 5.0]]] and idx.tolist() == [[[0, 2, 4]]]
    assert nn.AdaptiveAvgPool1d(3)(x).tolist() == [[[2.0, 2.0, 3.0]]]
    back = nn.MaxUnpool1d(2)(y, idx, output_size=(5,))
    assert back.tolist() == [[[3.0, 0.0, 4.0, 0.0, 5.0]]]
    back.sum().backward()
    assert x.grad.tolist() == [[[1.0, 0.0, 1.0, 0.0, 1.0]]]
    y2, idx2 = nn.AdaptiveMaxPool2d((1, None), return_indices=True)(x.unsqueeze(0))
    assert y2.shape == (1, 1, 1, 5) and idx2.tolist() == [[[[0, 1, 2, 3, 4]]]]


def test_pooling_errors_name_the_shapes():
    x = autograd.randn(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match=r"padding \(2, 2\) should be at most half"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(RuntimeError, match=r"3-D or 4-D input, got shape \(4, 4\)"):
        F.adaptive_max_pool2d(x[0, 0], 2)
    with pytest.raises(RuntimeError, match=r"input of shape \(1, 1, 2, 2\) and indices of "
                                           r"shape \(1, 1, 2\)"):
        F.max_unpool2d(autograd.randn(1, 1, 2, 2), autograd.zeros(1, 1, 2, dtype=autograd.int64),
                       2)


def test_conv_transpose_spreads_each_input_over_its_window():
    x = autograd.tensor(np.array([[[1.0, 2.0]]]), requires_grad=True)
    w = autograd.tensor(np.array([[[1.0, 10.0]]]), requires_grad=True)
    assert F.conv_transpose1d(x, w, stride=2).tolist() == [[[1.0, 10.0, 2.0, 20.0]]]
    y = F.conv_transpose1d(x, w)  # overlapping windows add up: [1, 10 + 2, 20]
    assert y.tolist() == [[[1.0, 12.0, 20.0]]]
    assert F.conv_transpose1d(x, w, padding=1).tolist() == [[[12.0]]]
    assert F.conv_transpose1d(x, w, stride=2, output_padding=1).tolist() == [[[1.0, 10.0, 2.0,
                                                                                20.0, 0.0]]]
    y.backward(autograd.tensor(np.array([[[1.0, 0.0, 2.0]]])))
    assert x.grad.tolist() == [[[1.0, 20.0]]]  # x[i] reaches y[i] (w 1) and y[i + 1] (w 10)
    assert w.grad.tolist() == [[[1.0, 4.0]]]  # w[k] reaches y[i + k] from x[i]
    with pytest.raises(RuntimeError, match="does not support double backward"):
        autograd.grad(F.conv_transpose1d(x, w).sum(), x, create_graph=True)


def test_conv_transpose2d_layer_shape_init_and_repr():
    up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
    assert up.weight.shape == (4, 3, 3, 3) and up.bias.shape == (6,)
    bound = 1 / math.sqrt(3 * 3 * 3)  # PyTorch's fan_in reads the weight's dim 1: out / groups
    assert np.abs(up.weight.detach().numpy()).max() <= bound
    assert np.abs(up.bias.detach().numpy()).max() <= bound
    assert up(autograd.randn(2, 4, 5, 5)).shape == (2, 6, 10, 10)
    assert up(autograd.randn(2, 4, 5, 5), output_size=(9, 9)).shape == (2, 6, 9, 9)
    assert repr(up) == ("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), "
                        "padding=(1, 1), output_padding=(1, 1), groups=2)")
    assert nn.ConvTranspose1d(2, 3, 4)(autograd.randn(2, 5)).shape == (3, 8)
