"""Deprecated nn.init aliases, clip_grad_norm, skip_init and BatchNorm fusion compared with
PyTorch (skipped when torch is not installed)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import nn  # noqa: E402

RNG = np.random.default_rng(11)

ALIASES = [
    ("uniform", ((3, 4),), {"a": -1.0, "b": 2.0}),
    ("normal", ((3, 4),), {"std": 0.5}),
    ("constant", ((3, 4), 0.25), {}),
    ("eye", ((3, 4),), {}),
    ("dirac", ((4, 2, 3),), {}),
    ("xavier_uniform", ((3, 4),), {}),
    ("xavier_normal", ((3, 4),), {}),
    ("kaiming_uniform", ((3, 4),), {}),
    ("kaiming_normal", ((3, 4),), {}),
    ("orthogonal", ((3, 4),), {}),
    ("sparse", ((4, 3), 0.5), {}),
]


@pytest.mark.parametrize("name,args,kwargs", ALIASES, ids=[a[0] for a in ALIASES])
def test_deprecated_init_alias_warns_like_torch_and_fills_in_place(name, args, kwargs):
    shape, rest = args[0], args[1:]
    ours = autograd.zeros(*shape)
    theirs = torch.zeros(*shape)
    with pytest.warns(FutureWarning) as ours_record:
        result = getattr(nn.init, name)(ours, *rest, **kwargs)
    with pytest.warns(FutureWarning) as theirs_record:
        getattr(torch.nn.init, name)(theirs, *rest, **kwargs)
    assert str(ours_record[0].message) == str(theirs_record[0].message)
    assert ours_record[0].filename == __file__  # points at the caller
    assert result is ours
    if name in ("constant", "eye", "dirac"):  # deterministic fills
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    else:
        assert np.any(ours.numpy() != 0)


def test_clip_grad_norm_alias_warns_and_clips_like_torch():
    g = RNG.standard_normal((3, 4))
    a = nn.Parameter(autograd.zeros(3, 4, dtype=autograd.float64))
    b = torch.nn.Parameter(torch.zeros(3, 4, dtype=torch.float64))
    a.grad = autograd.tensor(g)
    b.grad = torch.tensor(g)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        na = nn.utils.clip_grad_norm([a], 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = torch.nn.utils.clip_grad_norm([b], 0.5)
    np.testing.assert_allclose(float(na), float(nb), rtol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_skip_init_builds_the_module_with_the_right_shapes_and_checks_like_torch():
    m = nn.utils.skip_init(nn.Linear, 5, out_features=2, bias=True)
    t = torch.nn.utils.skip_init(torch.nn.Linear, 5, out_features=2, bias=True)
    assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in t.state_dict().items()}
    assert m.weight.requires_grad and isinstance(m.weight, nn.Parameter)
    for bad in (nn.ReLU, int):
        torch_bad = torch.nn.ReLU if bad is nn.ReLU else int
        with pytest.raises(RuntimeError) as theirs:
            torch.nn.utils.skip_init(torch_bad)
        with pytest.raises(RuntimeError) as ours:
            nn.utils.skip_init(bad)
        assert str(theirs.value).split(";")[0] == str(ours.value).split(";")[0]


def _bn_pair(cls_ours, cls_theirs, n):
    ours, theirs = cls_ours(n).double(), cls_theirs(n).double()
    stats = {"running_mean": RNG.standard_normal(n), "running_var": RNG.uniform(0.5, 2.0, n),
             "weight": RNG.standard_normal(n), "bias": RNG.standard_normal(n)}
    ours.load_state_dict({k: v for k, v in stats.items()}, strict=False)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in stats.items()}, strict=False)
    return ours.eval(), theirs.eval()


def _copy_to_torch(ours, theirs):
    theirs.double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_matches_torch_and_the_unfused_pair(bias, transpose):
    if transpose:
        conv, tconv = nn.ConvTranspose2d(2, 3, 3, bias=bias), \
            torch.nn.ConvTranspose2d(2, 3, 3, bias=bias)
    else:
        conv, tconv = nn.Conv2d(2, 3, 3, bias=bias), torch.nn.Conv2d(2, 3, 3, bias=bias)
    conv.double().eval()
    _copy_to_torch(conv, tconv)
    tconv.eval()
    bn, tbn = _bn_pair(nn.BatchNorm2d, torch.nn.BatchNorm2d, 3)
    fused = nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
    tfused = torch.nn.utils.fuse_conv_bn_eval(tconv, tbn, transpose=transpose)
    for key, value in tfused.state_dict().items():
        np.testing.assert_allclose(fused.state_dict()[key].numpy(), value.numpy(), rtol=1e-12)
    assert isinstance(fused.weight, nn.Parameter) and fused is not conv
    x = RNG.standard_normal((2, 2, 5, 5))
    np.testing.assert_allclose(fused(autograd.tensor(x)).detach().numpy(),
                               bn(conv(autograd.tensor(x))).detach().numpy(), rtol=1e-10,
                               atol=1e-12)


def test_fuse_linear_bn_eval_matches_torch():
    lin, tlin = nn.Linear(4, 3).double().eval(), torch.nn.Linear(4, 3).eval()
    _copy_to_torch(lin, tlin)
    bn, tbn = _bn_pair(nn.BatchNorm1d, torch.nn.BatchNorm1d, 3)
    fused = nn.utils.fuse_linear_bn_eval(lin, bn)
    tfused = torch.nn.utils.fuse_linear_bn_eval(tlin, tbn)
    for key, value in tfused.state_dict().items():
        np.testing.assert_allclose(fused.state_dict()[key].numpy(), value.numpy(), rtol=1e-12)
    w, b = nn.utils.fuse_linear_bn_weights(lin.weight, None, bn.running_mean, bn.running_var,
                                           bn.eps, bn.weight, bn.bias)
    tw, tb = torch.nn.utils.fuse_linear_bn_weights(tlin.weight, None, tbn.running_mean,
                                                   tbn.running_var, tbn.eps, tbn.weight,
                                                   tbn.bias)
    np.testing.assert_allclose(b.numpy(), tb.detach().numpy(), rtol=1e-12)
    assert w.requires_grad == tw.requires_grad and b.requires_grad == tb.requires_grad


def test_fusion_refuses_training_mode_and_mismatched_features_like_torch():
    for ours, theirs in ((lambda: nn.utils.fuse_linear_bn_eval(nn.Linear(2, 3),
                                                               nn.BatchNorm1d(3).eval()),
                          lambda: torch.nn.utils.fuse_linear_bn_eval(
                              torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3).eval())),
                         (lambda: nn.utils.fuse_linear_bn_eval(nn.Linear(2, 3).eval(),
                                                               nn.BatchNorm1d(4).eval()),
                          lambda: torch.nn.utils.fuse_linear_bn_eval(
                              torch.nn.Linear(2, 3).eval(), torch.nn.BatchNorm1d(4).eval()))):
        with pytest.raises(AssertionError) as t:
            theirs()
        with pytest.raises(AssertionError) as o:
            ours()
        assert str(o.value) == str(t.value)
