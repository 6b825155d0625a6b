"""interpolate, the shuffles, unfold/fold and the padding layers: hand-computed values, errors
and second derivatives (the composites record their backward)."""
import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


def _row(values):
    return autograd.tensor(np.array([[values]], dtype=np.float64), requires_grad=True)


def test_nearest_and_linear_interpolation_by_hand():
    x = _row([0.0, 10.0])
    assert F.interpolate(x, scale_factor=2).tolist() == [[[0.0, 0.0, 10.0, 10.0]]]
    # align_corners=False: source (dst + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25
    assert F.interpolate(x, scale_factor=2, mode="linear").tolist() == [[[0.0, 2.5, 7.5,
                                                                           10.0]]]
    # align_corners=True: source dst * (2 - 1) / (3 - 1)
    assert F.interpolate(x, size=3, mode="linear", align_corners=True).tolist() == \
        [[[0.0, 5.0, 10.0]]]
    # nearest-exact rounds (dst + 0.5) * 3 / 2 down: sources 0, 2 of [0, 1, 2]
    assert F.interpolate(_row([0.0, 1.0, 2.0]), size=2, mode="nearest-exact").tolist() == \
        [[[0.0, 2.0]]]
    y = F.interpolate(x, scale_factor=2, mode="linear")
    y.sum().backward()
    assert x.grad.tolist() == [[[2.0, 2.0]]]  # the weights of each output sum to one


def test_interpolation_and_reflection_have_second_derivatives():
    x = autograd.randn(1, 2, 3, 4, dtype=autograd.float64, requires_grad=True)
    for fn in (lambda t: F.interpolate(t, scale_factor=1.5, mode="bilinear") ** 3,
               lambda t: F.pad(t, (2, 1, 1, 2), mode="reflect") ** 3,
               lambda t: F.pixel_shuffle(F.pixel_unshuffle(t[..., :2, :], 2), 2) ** 3):
        assert autograd.gradgradcheck(fn, (x,))


def test_pixel_shuffle_moves_channel_groups_into_blocks():
    x = autograd.tensor(np.arange(8.0).reshape(1, 4, 1, 2))
    y = nn.PixelShuffle(2)(x)
    # channel 2i + j of each group lands at offset (i, j) of each 2 x 2 block
    assert y.tolist() == [[[[0.0, 2.0, 1.0, 3.0], [4.0, 6.0, 5.0, 7.0]]]]
    assert nn.PixelUnshuffle(2)(y).tolist() == x.tolist()
    assert F.channel_shuffle(autograd.arange(6.0).reshape(1, 6, 1), 2).reshape(-1).tolist() == \
        [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_fold_sums_overlapping_blocks_of_unfold():
    x = autograd.tensor(np.arange(1.0, 10.0).reshape(1, 1, 3, 3))
    cols = nn.Unfold(2)(x)
    assert cols.shape == (1, 4, 4)
    assert cols[0, :, 0].tolist() == [1.0, 2.0, 4.0, 5.0]  # the top-left block, row-major
    # each pixel is counted by as many blocks as cover it
    counts = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert nn.Fold((3, 3), 2)(cols).tolist() == [[(np.arange(1.0, 10.0).reshape(3, 3)
                                                   * counts).tolist()]]
    with pytest.raises(RuntimeError, match=r"input of shape \(1, 4, 5\) does not match"):
        F.fold(autograd.randn(1, 4, 5), (3, 3), 2)


def test_padding_layers_by_hand():
    x = autograd.tensor(np.array([[1.0, 2.0, 3.0]]))
    assert nn.ReflectionPad1d(2)(x).tolist() == [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]
    assert nn.ReplicationPad1d((1, 2))(x).tolist() == [[1.0, 1.0, 2.0, 3.0, 3.0, 3.0]]
    assert nn.CircularPad1d(1)(x).tolist() == [[3.0, 1.0, 2.0, 3.0, 1.0]]
    assert nn.ConstantPad1d((0, 1), 9.0)(x).tolist() == [[1.0, 2.0, 3.0, 9.0]]
    assert nn.ZeroPad2d((1, 0, 0, 1))(x.unsqueeze(0)).tolist() == [[[0.0, 1.0, 2.0, 3.0],
                                                                   [0.0, 0.0, 0.0, 0.0]]]
    x = autograd.tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    nn.ReplicationPad1d((1, 2))(x).sum().backward()
    assert x.grad.tolist() == [[2.0, 1.0, 3.0]]  # the edges are read once per copy
    with pytest.raises(RuntimeError, match=r"padding \(3, 0\) should be less than the size 3"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"expected a 3-D or 4-D input, got shape \(3,\)"):
        nn.ZeroPad2d(1)(autograd.ones(3))


def test_interpolate_errors_name_the_problem():
    x = autograd.randn(1, 1, 4, 4)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(ValueError, match="has 2 spatial dims, but size"):
        F.interpolate(x, size=(2, 3, 4))
    with pytest.raises(NotImplementedError, match="mode 'bicubic' is not supported"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
