"""InstanceNorm, LocalResponseNorm, Dropout1d, CosineSimilarity, PairwiseDistance and
MultiLabelSoftMarginLoss against PyTorch in float64 (skipped when torch is missing)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(3)


def _pairs(*shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    return ([autograd.tensor(a, dtype=autograd.float64, requires_grad=True) for a in arrays],
            [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays])


def _check(ya, yb, ours, theirs):
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-11, atol=1e-12)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-11)


MODULES = [
    ("InstanceNorm1d", lambda m: m.InstanceNorm1d(3), [(2, 3, 5)]),
    ("InstanceNorm1d-unbatched", lambda m: m.InstanceNorm1d(3, affine=True), [(3, 5)]),
    ("InstanceNorm2d-affine", lambda m: m.InstanceNorm2d(3, affine=True), [(2, 3, 4, 5)]),
    ("LocalResponseNorm", lambda m: m.LocalResponseNorm(3, alpha=0.5, beta=0.7, k=2.0),
     [(2, 5, 3, 2)]),
    ("LocalResponseNorm-even", lambda m: m.LocalResponseNorm(4), [(2, 6, 3)]),
    ("CosineSimilarity", lambda m: m.CosineSimilarity(dim=-1), [(4, 3), (4, 3)]),
    ("CosineSimilarity-broadcast", lambda m: m.CosineSimilarity(), [(2, 3, 4), (1, 3, 4)]),
    ("PairwiseDistance", lambda m: m.PairwiseDistance(), [(4, 3), (4, 3)]),
    ("PairwiseDistance-p1-keepdim", lambda m: m.PairwiseDistance(1.0, keepdim=True),
     [(4, 3), (4, 3)]),
]


@pytest.mark.parametrize("name,make,shapes", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(name, make, shapes):
    ours, theirs = make(nn).double(), make(torch.nn).double()
    assert repr(ours) == repr(theirs)
    a, b = _pairs(*shapes)
    _check(ours(*a), theirs(*b), a + list(ours.parameters()), b + list(theirs.parameters()))


def test_instance_norm_running_stats_match_torch():
    ours = nn.InstanceNorm2d(3, momentum=0.3, track_running_stats=True).double()
    theirs = torch.nn.InstanceNorm2d(3, momentum=0.3, track_running_stats=True).double()
    for _ in range(2):
        a, b = _pairs((4, 3, 2, 5))
        _check(ours(a[0]), theirs(b[0]), a, b)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(),
                               rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    a, b = _pairs((2, 3, 2, 5))
    _check(ours(a[0]), theirs(b[0]), a, b)  # eval normalises with the running statistics


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss_matches_torch(reduction, weighted):
    (x,), (xt,) = _pairs((4, 5))
    y = (RNG.random((4, 5)) > 0.5).astype(np.float64)
    w = RNG.random(5) + 0.5
    kw_a = {"weight": autograd.tensor(w)} if weighted else {}
    kw_b = {"weight": torch.tensor(w)} if weighted else {}
    ya = nn.MultiLabelSoftMarginLoss(reduction=reduction, **kw_a)(x, autograd.tensor(y))
    yb = torch.nn.MultiLabelSoftMarginLoss(reduction=reduction, **kw_b)(xt, torch.tensor(y))
    _check(ya, yb, [x], [xt])


def test_dropout1d_zeroes_whole_channels_like_torch():
    autograd.manual_seed(0)
    y = F.dropout1d(autograd.ones(64, 8, 5), 0.25).numpy()
    per_channel = y.reshape(64 * 8, 5)
    assert np.all((per_channel == 0).all(axis=1) | (per_channel == 1 / 0.75).all(axis=1))
    assert 0.15 < (per_channel[:, 0] == 0).mean() < 0.35
    with pytest.raises(RuntimeError):
        TF.dropout1d(torch.ones(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match=r"Expected 2D or 3D input.*\(2, 3, 4, 5\)"):
        F.dropout1d(autograd.ones(2, 3, 4, 5))
    drop = nn.Dropout1d(0.5).eval()
    x = autograd.ones(2, 3)
    assert drop(x) is x
