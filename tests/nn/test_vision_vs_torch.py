"""interpolate, pixel/channel shuffles, unfold/fold, the padding modes and their layers against
PyTorch in float64: values and input gradients (skipped when torch is missing)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(2)


def _compare(ours, theirs, shape):
    x = RNG.standard_normal(shape)
    a = autograd.tensor(x, dtype=autograd.float64, requires_grad=True)
    b = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ya, yb = ours(a), theirs(b)
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)


INTERPOLATE = [
    ((2, 3, 4, 6), dict(scale_factor=2)),
    ((2, 3, 4, 6), dict(size=(5, 3))),
    ((2, 3, 4, 6), dict(scale_factor=1.7)),
    ((2, 3, 4, 6), dict(scale_factor=(0.6, 2.3))),
    ((2, 3, 5), dict(scale_factor=0.5)),
    ((2, 3, 4, 6), dict(size=(5, 7), mode="nearest-exact")),
    ((2, 3, 4, 6), dict(scale_factor=1.5, mode="nearest-exact")),
    ((2, 3, 5), dict(scale_factor=2.5, mode="linear")),
    ((2, 3, 5), dict(size=8, mode="linear", align_corners=True)),
    ((2, 3, 4, 6), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 4, 6), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((2, 3, 4, 6), dict(size=(5, 3), mode="bilinear", align_corners=False)),
    ((2, 3, 4, 6), dict(size=(5, 3), mode="bilinear", align_corners=True)),
    ((2, 3, 4, 6), dict(scale_factor=1.7, mode="bilinear")),
    ((2, 3, 4, 6), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 4, 6), dict(size=(1, 1), mode="bilinear", align_corners=True)),
    ((2, 3, 7, 9), dict(size=(3, 4), mode="bilinear")),
    ((1, 2, 2, 5, 3), dict(size=(3, 4, 5), mode="trilinear", align_corners=True)),
    ((1, 2, 2, 5, 3), dict(scale_factor=(2, 0.5, 1.5), mode="trilinear")),
    ((1, 2, 2, 5, 3), dict(scale_factor=2)),
]


@pytest.mark.parametrize("shape,kwargs", INTERPOLATE, ids=[str(k) for _, k in INTERPOLATE])
def test_interpolate_matches_torch(shape, kwargs):
    _compare(lambda a: F.interpolate(a, **kwargs), lambda b: TF.interpolate(b, **kwargs), shape)


@pytest.mark.parametrize("name,args,shape", [
    ("pixel_shuffle", (2,), (2, 8, 3, 4)), ("pixel_shuffle", (3,), (9, 2, 2)),
    ("pixel_unshuffle", (2,), (2, 3, 4, 6)), ("channel_shuffle", (3,), (2, 6, 4, 3)),
    ("unfold", ((2, 3), 2, 1, (1, 2)), (2, 3, 7, 8)), ("unfold", (3,), (2, 5, 4)),
    ("fold", ((7, 8), (2, 3), 2, 1, (1, 2)), (2, 18, 21)), ("fold", ((9, 10), 3, 1, 0, 3), (18, 9)),
])
def test_rearranging_functions_match_torch(name, args, shape):
    _compare(lambda a: getattr(F, name)(a, *args), lambda b: getattr(TF, name)(b, *args), shape)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
@pytest.mark.parametrize("pad,shape", [((2, 1, 3, 0), (2, 3, 4, 5)), ((3, 3), (3, 4)),
                                       ((0, 2), (2, 3, 5)), ((1, 1, 1, 1), (3, 2, 2))])
def test_pad_modes_match_torch(mode, pad, shape):
    _compare(lambda a: F.pad(a, pad, mode=mode), lambda b: TF.pad(b, pad, mode=mode), shape)


MODULES = [
    ("Upsample", lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
    ("Upsample-bilinear", lambda m: m.Upsample(size=(7, 3), mode="bilinear"), (2, 3, 4, 5)),
    ("UpsamplingBilinear2d", lambda m: m.UpsamplingBilinear2d(scale_factor=2), (2, 3, 4, 5)),
    ("UpsamplingNearest2d", lambda m: m.UpsamplingNearest2d(size=7), (2, 3, 4, 5)),
    ("PixelShuffle", lambda m: m.PixelShuffle(2), (2, 8, 3, 3)),
    ("PixelUnshuffle", lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)),
    ("ChannelShuffle", lambda m: m.ChannelShuffle(2), (2, 4, 3, 3)),
    ("Unfold", lambda m: m.Unfold(2, padding=1), (2, 3, 4, 5)),
    ("Fold", lambda m: m.Fold((4, 5), 2), (2, 12, 12)),
    ("ZeroPad1d", lambda m: m.ZeroPad1d((1, 2)), (2, 3, 4)),
    ("ZeroPad2d", lambda m: m.ZeroPad2d(1), (2, 3, 4, 5)),
    ("ConstantPad1d", lambda m: m.ConstantPad1d(2, 3.5), (3, 4)),
    ("ConstantPad2d", lambda m: m.ConstantPad2d((1, 0, 2, 1), -1.0), (2, 3, 4, 5)),
    ("ReflectionPad1d", lambda m: m.ReflectionPad1d(2), (2, 3, 4)),
    ("ReflectionPad2d", lambda m: m.ReflectionPad2d((1, 2, 3, 0)), (2, 3, 4, 5)),
    ("ReplicationPad1d", lambda m: m.ReplicationPad1d((3, 1)), (2, 3, 4)),
    ("ReplicationPad2d", lambda m: m.ReplicationPad2d(2), (3, 4, 5)),
    ("CircularPad1d", lambda m: m.CircularPad1d(2), (2, 3, 4)),
    ("CircularPad2d", lambda m: m.CircularPad2d((1, 2, 0, 3)), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name,make,shape", MODULES, ids=[m[0] for m in MODULES])
def test_vision_modules_match_torch(name, make, shape):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, shape)


@pytest.mark.parametrize("call", [
    lambda f, t: f.interpolate(t(1, 1, 4), scale_factor=2, mode="bilinear"),
    lambda f, t: f.interpolate(t(1, 1, 4), scale_factor=2, align_corners=True),
    lambda f, t: f.interpolate(t(1, 1, 4), size=3, scale_factor=2),
    lambda f, t: f.pad(t(1, 1, 4), (4, 1), mode="reflect"),
    lambda f, t: f.pad(t(1, 1, 4), (5, 1), mode="circular"),
    lambda f, t: f.pixel_shuffle(t(1, 3, 4, 4), 2),
    lambda f, t: f.channel_shuffle(t(1, 3, 4, 4), 2),
])
def test_bad_arguments_raise_torch_exception_types(call):
    with pytest.raises(Exception) as theirs:
        call(TF, torch.randn)
    with pytest.raises(theirs.type):
        call(F, autograd.randn)
