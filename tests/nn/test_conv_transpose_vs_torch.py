"""conv_transpose1d/2d and their layers against PyTorch in float64: values and the gradients of
input, weight and bias for every option combination (skipped when torch is missing)."""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(1)


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


# (stride, padding, output_padding, dilation): output_padding < max(stride, dilation)
GEOMETRY = [(1, 0, 0, 1), (2, 0, 1, 1), (2, 1, 1, 1), ((2, 3), (1, 0), (0, 2), 1),
            (1, 1, 1, 2), (3, 2, 2, (2, 1)), ((1, 2), (0, 1), (0, 1), (2, 1))]


@pytest.mark.parametrize("geometry,groups,bias", list(itertools.product(GEOMETRY, [1, 2],
                                                                          [True, False])))
def test_conv_transpose2d_matches_torch(geometry, groups, bias):
    stride, padding, output_padding, dilation = geometry
    shapes = [(2, 2 * groups, 4, 5), (2 * groups, 3, 3, 2)] + ([(3 * groups,)] if bias else [])
    ours, theirs = _both(*shapes)
    ya = F.conv_transpose2d(*ours, **({} if bias else {"bias": None}), stride=stride,
                            padding=padding, output_padding=output_padding, groups=groups,
                            dilation=dilation)
    yb = TF.conv_transpose2d(*theirs, stride=stride, padding=padding,
                             output_padding=output_padding, groups=groups, dilation=dilation)
    _check(ya, yb, ours, theirs)


@pytest.mark.parametrize("stride,padding,output_padding,dilation,groups",
                         [(1, 0, 0, 1, 1), (2, 1, 1, 1, 2), (3, 1, 2, 2, 1), (2, 0, 1, 3, 2)])
def test_conv_transpose1d_matches_torch(stride, padding, output_padding, dilation, groups):
    ours, theirs = _both((2, 2 * groups, 6), (2 * groups, 2, 3), (2 * groups,))
    args = (stride, padding, output_padding, groups, dilation)
    _check(F.conv_transpose1d(*ours, *args), TF.conv_transpose1d(*theirs, *args), ours, theirs)


def _copy_params(ours, theirs):
    ours.double()
    theirs.double()
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy()))


@pytest.mark.parametrize("make,shape,output_size", [
    (lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     (2, 4, 5, 4), None),
    (lambda m: m.ConvTranspose2d(3, 2, (2, 3), stride=2, padding=(0, 1), bias=False),
     (2, 3, 4, 4), (9, 8)),
    (lambda m: m.ConvTranspose2d(2, 2, 3, dilation=2), (2, 5, 5), None),  # unbatched
    (lambda m: m.ConvTranspose1d(4, 2, 3, stride=3, padding=1), (2, 4, 5), [2, 2, 15]),
])
def test_conv_transpose_layers_match_torch(make, shape, output_size):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    _copy_params(ours, theirs)
    (xa,), (xb,) = _both(shape)
    ya, yb = ours(xa, output_size=output_size), theirs(xb, output_size=output_size)
    _check(ya, yb, [xa] + list(ours.parameters()), [xb] + list(theirs.parameters()))


def test_conv_transpose_errors_have_torch_types():
    x, w = torch.randn(1, 5, 3, 3), torch.randn(4, 3, 3, 3)
    with pytest.raises(RuntimeError):
        TF.conv_transpose2d(x, w)
    with pytest.raises(RuntimeError, match=r"\(4, 3, 3, 3\) expects input of shape "
                                           r"\(1, 5, 3, 3\) to have 4 channels"):
        F.conv_transpose2d(autograd.randn(1, 5, 3, 3), autograd.randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError):
        TF.conv_transpose2d(torch.randn(1, 4, 3, 3), w, stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride"):
        F.conv_transpose2d(autograd.randn(1, 4, 3, 3), autograd.randn(4, 3, 3, 3), stride=2,
                           output_padding=2)
    with pytest.raises(ValueError):
        torch.nn.ConvTranspose2d(4, 2, 3, stride=2)(torch.randn(1, 4, 3, 3), output_size=(9, 9))
    with pytest.raises(ValueError, match="valid sizes .* range from 7 to 8"):
        nn.ConvTranspose2d(4, 2, 3, stride=2)(autograd.randn(1, 4, 3, 3), output_size=(9, 9))
