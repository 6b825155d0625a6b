"""conv3d / conv_transpose3d and their layers against PyTorch in float64: values and the
gradients of input, weight and bias for every option combination (skipped when torch is
missing)."""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(3)


def _both(*shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    return ([autograd.tensor(a, dtype=autograd.float64, requires_grad=True) for a in arrays],
            [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays])


def _check(ya, yb, ours, theirs):
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


# (stride, padding, dilation)
CONV_GEOMETRY = [(1, 0, 1), (2, 1, 1), ((1, 2, 3), (1, 0, 2), (2, 1, 1)), (1, "same", (1, 2, 1)),
                 (1, "valid", 1), (2, (0, 1, 1), 2)]


@pytest.mark.parametrize("geometry,groups,bias", list(itertools.product(CONV_GEOMETRY, [1, 2],
                                                                          [True, False])))
def test_conv3d_matches_torch(geometry, groups, bias):
    stride, padding, dilation = geometry
    shapes = [(2, 2 * groups, 5, 6, 7), (2 * groups, 2, 3, 2, 3)] + ([(2 * groups,)] if bias
                                                                      else [])
    ours, theirs = _both(*shapes)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    _check(F.conv3d(*ours, **({} if bias else {"bias": None}), **kw),
           TF.conv3d(*theirs, **kw), ours, theirs)


def test_conv3d_unbatched_matches_torch():
    ours, theirs = _both((3, 4, 5, 6), (2, 3, 2, 2, 2), (2,))
    _check(F.conv3d(*ours, padding=1), TF.conv3d(*theirs, padding=1), ours, theirs)


# (stride, padding, output_padding, dilation): output_padding < max(stride, dilation)
TRANSPOSE_GEOMETRY = [(1, 0, 0, 1), (2, 1, 1, 1), ((1, 2, 3), (0, 1, 1), (0, 1, 2), 1),
                      (1, 1, 1, 2), (3, 2, 2, (2, 1, 1))]


@pytest.mark.parametrize("geometry,groups,bias", list(itertools.product(TRANSPOSE_GEOMETRY,
                                                                          [1, 2], [True, False])))
def test_conv_transpose3d_matches_torch(geometry, groups, bias):
    stride, padding, output_padding, dilation = geometry
    shapes = [(2, 2 * groups, 3, 4, 3), (2 * groups, 2, 3, 2, 3)] + ([(2 * groups,)] if bias
                                                                      else [])
    ours, theirs = _both(*shapes)
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
              dilation=dilation)
    _check(F.conv_transpose3d(*ours, **({} if bias else {"bias": None}), **kw),
           TF.conv_transpose3d(*theirs, **kw), ours, theirs)


def _copy_params(ours, theirs):
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            getattr(ours, name).data = autograd.tensor(p.detach().numpy().copy())


@pytest.mark.parametrize("mode,padding", list(itertools.product(
    ["zeros", "reflect", "replicate", "circular"], [1, (2, 1, 0), "same", "valid"])))
def test_conv3d_layer_padding_modes_match_torch(mode, padding):
    theirs = torch.nn.Conv3d(4, 6, (3, 2, 3), padding=padding, padding_mode=mode, groups=2,
                             dilation=(1, 2, 1), dtype=torch.float64)
    ours = nn.Conv3d(4, 6, (3, 2, 3), padding=padding, padding_mode=mode, groups=2,
                     dilation=(1, 2, 1), dtype=autograd.float64)
    _copy_params(ours, theirs)
    assert repr(ours) == repr(theirs)
    x = RNG.standard_normal((2, 4, 4, 5, 6))
    xa = autograd.tensor(x, requires_grad=True)
    xb = torch.tensor(x, requires_grad=True)
    _check(ours(xa), theirs(xb), [xa, ours.weight, ours.bias], [xb, theirs.weight, theirs.bias])


def test_conv_transpose3d_layer_with_output_size_matches_torch():
    theirs = torch.nn.ConvTranspose3d(2, 4, 3, stride=2, padding=1, dtype=torch.float64)
    ours = nn.ConvTranspose3d(2, 4, 3, stride=2, padding=1, dtype=autograd.float64)
    _copy_params(ours, theirs)
    assert repr(ours) == repr(theirs)
    x = RNG.standard_normal((1, 2, 3, 4, 2))
    xa, xb = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    size = (6, 8, 4)
    _check(ours(xa, output_size=size), theirs(xb, output_size=size),
           [xa, ours.weight, ours.bias], [xb, theirs.weight, theirs.bias])


def test_reprs_match_torch():
    for kwargs in ({}, {"stride": 2, "bias": False}, {"padding": (1, 0, 1), "groups": 2},
                   {"dilation": 2, "padding_mode": "circular"}):
        assert repr(nn.Conv3d(2, 4, 3, **kwargs)) == repr(torch.nn.Conv3d(2, 4, 3, **kwargs))
    for kwargs in ({}, {"stride": 2, "output_padding": 1}, {"groups": 2, "dilation": (1, 2, 1)}):
        assert repr(nn.ConvTranspose3d(2, 4, 3, **kwargs)) == \
            repr(torch.nn.ConvTranspose3d(2, 4, 3, **kwargs))


def test_bad_layer_options_raise_like_torch():
    for kwargs in ({"padding_mode": "mirror"}, {"padding": "same", "stride": 2},
                   {"padding": "full"}):
        with pytest.raises(ValueError):
            torch.nn.Conv3d(2, 4, 3, **kwargs)
        with pytest.raises(ValueError):
            nn.Conv3d(2, 4, 3, **kwargs)
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose3d(2, 4, 3, padding_mode="reflect")


@pytest.mark.parametrize("dims,mode,padding", list(itertools.product(
    [1, 2], ["reflect", "replicate", "circular"], [1, 2, "same"])))
def test_conv1d_conv2d_padding_modes_match_torch(dims, mode, padding):
    layer, theirs_cls = {1: (nn.Conv1d, torch.nn.Conv1d), 2: (nn.Conv2d, torch.nn.Conv2d)}[dims]
    theirs = theirs_cls(2, 3, 3, padding=padding, padding_mode=mode, dtype=torch.float64)
    ours = layer(2, 3, 3, padding=padding, padding_mode=mode, dtype=autograd.float64)
    _copy_params(ours, theirs)
    assert repr(ours) == repr(theirs)
    x = RNG.standard_normal((2, 2) + (5, 6)[:dims])
    xa, xb = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _check(ours(xa), theirs(xb), [xa, ours.weight, ours.bias], [xb, theirs.weight, theirs.bias])
