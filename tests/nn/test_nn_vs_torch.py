"""The same modules, losses and init schemes in PyTorch, on the same inputs (skipped when torch
is not installed; CPU build: `pip install torch==2.13.0`)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(0)


def _ours(a, requires_grad=True):
    return autograd.tensor(a, dtype=autograd.float64, requires_grad=requires_grad)


def _theirs(a, requires_grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)


def _copy_params(ours, theirs):
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        with torch.no_grad():
            theirs_params[name].copy_(torch.from_numpy(p._data.astype(np.float64)))


def _compare_module(ours, theirs, *shapes, train=True):
    ours.double()
    theirs.double()
    _copy_params(ours, theirs)
    ours.train(train)
    theirs.train(train)
    xs = [RNG.standard_normal(s) for s in shapes]
    a = [_ours(x) for x in xs]
    b = [_theirs(x) for x in xs]
    ya, yb = ours(*a), theirs(*b)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    g = RNG.standard_normal(yb.shape)
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    for x_a, x_b in zip(a, b):
        np.testing.assert_allclose(x_a.grad.numpy(), x_b.grad.numpy(), rtol=1e-9, atol=1e-11)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-11, err_msg=name)


MODULES = [
    ("Linear", lambda m: m.Linear(4, 3), [(5, 4)]),
    ("Bilinear", lambda m: m.Bilinear(2, 3, 4), [(5, 2), (5, 3)]),
    ("LayerNorm", lambda m: m.LayerNorm((2, 3)), [(4, 2, 3)]),
    ("RMSNorm", lambda m: m.RMSNorm(3, eps=1e-6), [(4, 3)]),
    ("GroupNorm", lambda m: m.GroupNorm(2, 4), [(3, 4, 5)]),
    ("BatchNorm1d", lambda m: m.BatchNorm1d(3), [(6, 3, 2)]),
    ("PReLU", lambda m: m.PReLU(3), [(4, 3)]),
    ("GELU", lambda m: m.GELU(), [(3, 4)]),
    ("GELU-tanh", lambda m: m.GELU(approximate="tanh"), [(3, 4)]),
    ("SiLU", lambda m: m.SiLU(), [(3, 4)]),
    ("Mish", lambda m: m.Mish(), [(3, 4)]),
    ("ELU", lambda m: m.ELU(0.5), [(3, 4)]),
    ("SELU", lambda m: m.SELU(), [(3, 4)]),
    ("CELU", lambda m: m.CELU(0.5), [(3, 4)]),  # torch rounds alpha to float32 in CELU
    ("Softplus", lambda m: m.Softplus(2.0, 1.0), [(3, 4)]),
    ("Hardswish", lambda m: m.Hardswish(), [(3, 4)]),
    ("LogSigmoid", lambda m: m.LogSigmoid(), [(3, 4)]),
    ("GLU", lambda m: m.GLU(1), [(3, 4)]),
    ("LogSoftmax", lambda m: m.LogSoftmax(1), [(3, 4)]),
    ("Conv2d", lambda m: m.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2),
                                  groups=2), [(2, 4, 7, 6)]),
    ("Conv2d-same", lambda m: m.Conv2d(3, 5, 4, padding="same", bias=False), [(2, 3, 6, 5)]),
    ("MaxPool2d", lambda m: m.MaxPool2d(3, 2, 1), [(2, 3, 7, 6)]),
    ("MaxPool2d-dilated", lambda m: m.MaxPool2d(2, 1, 0, dilation=2), [(1, 2, 6, 5)]),
    ("AvgPool2d", lambda m: m.AvgPool2d((3, 2), (1, 2), (1, 1)), [(2, 3, 6, 6)]),
    ("AdaptiveAvgPool2d", lambda m: m.AdaptiveAvgPool2d((2, 3)), [(2, 3, 4, 6)]),
    ("Conv1d", lambda m: m.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2),
     [(2, 4, 11)]),
    ("Conv1d-same", lambda m: m.Conv1d(3, 2, 4, padding="same"), [(2, 3, 7)]),
    ("MaxPool1d", lambda m: m.MaxPool1d(3, 2, 1), [(2, 3, 9)]),
    ("AvgPool1d", lambda m: m.AvgPool1d(2), [(2, 3, 9)]),
    ("Sequential", lambda m: m.Sequential(m.Linear(3, 5), m.LayerNorm(5), m.Tanh(),
                                          m.Linear(5, 2)), [(4, 3)]),
]


@pytest.mark.parametrize("name,make,shapes", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_torch(name, make, shapes):
    _compare_module(make(nn), make(torch.nn), *shapes)


def test_batchnorm_running_stats_and_eval_match_torch():
    ours, theirs = nn.BatchNorm1d(3, momentum=0.2).double(), torch.nn.BatchNorm1d(3, momentum=0.2)
    theirs.double()
    for _ in range(3):
        x = RNG.standard_normal((5, 3)) * 2 + 1
        ours(_ours(x, False))
        theirs(_theirs(x, False))
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-12)
    _compare_module(ours, theirs, (4, 3), train=False)


def test_embedding_matches_torch():
    ours, theirs = nn.Embedding(6, 3, padding_idx=2).double(), torch.nn.Embedding(6, 3,
                                                                                  padding_idx=2)
    theirs.double()
    _copy_params(ours, theirs)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    ya, yb = ours(autograd.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_array_equal(ours.weight.grad.numpy(), theirs.weight.grad.numpy())


def test_repr_and_state_dict_keys_match_torch():
    def build(m):
        return m.Sequential(m.Linear(4, 8), m.BatchNorm1d(8), m.ReLU(), m.Dropout(0.1),
                            m.LayerNorm(8, elementwise_affine=False), m.GELU(approximate="tanh"),
                            m.Sequential(m.Linear(8, 2, bias=False), m.LeakyReLU(0.2)),
                            m.Embedding(10, 3, padding_idx=0), m.Softmax(dim=1),
                            m.PReLU(), m.Hardtanh(-2.0, 2.0), m.ELU(alpha=0.5),
                            m.BatchNorm1d(3, affine=False), m.GroupNorm(2, 4, bias=False),
                            m.RMSNorm(4), m.LayerNorm(3, bias=False))
    assert repr(build(nn)) == repr(build(torch.nn))
    assert list(build(nn).state_dict()) == list(build(torch.nn).state_dict())
    assert repr(nn.ModuleList([nn.Linear(2, 2)] * 3)) == \
        repr(torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3))


X = RNG.standard_normal((4, 5))
T_IDX = np.array([1, 0, 4, 3])
W = RNG.uniform(0.5, 2.0, 5)
P = RNG.uniform(0.05, 0.95, (4, 5))
Y = RNG.standard_normal((4, 5))
SIGN = np.where(RNG.random(4) < 0.5, -1.0, 1.0)

LOSSES = [
    ("cross_entropy", lambda f, x, t: f.cross_entropy(x, t(T_IDX, False), weight=t(W, False),
                                                      label_smoothing=0.15)),
    ("cross_entropy_ignore", lambda f, x, t: f.cross_entropy(
        x, t(np.array([1, -100, 4, 3]), False), reduction="sum")),
    ("cross_entropy_probs", lambda f, x, t: f.cross_entropy(x, t(P / P.sum(1, keepdims=True),
                                                                  False), label_smoothing=0.1)),
    ("nll", lambda f, x, t: f.nll_loss(f.log_softmax(x, 1), t(T_IDX, False), weight=t(W, False))),
    ("mse", lambda f, x, t: f.mse_loss(x, t(Y, False))),
    ("l1", lambda f, x, t: f.l1_loss(x, t(Y, False), reduction="sum")),
    ("huber", lambda f, x, t: f.huber_loss(x, t(Y, False), delta=0.7)),
    ("smooth_l1", lambda f, x, t: f.smooth_l1_loss(x, t(Y, False), beta=0.4)),
    ("bce", lambda f, x, t: f.binary_cross_entropy(f.sigmoid(x), t(P, False))),
    ("bce_logits", lambda f, x, t: f.binary_cross_entropy_with_logits(
        x, t(P, False), weight=t(W, False), pos_weight=t(W[::-1].copy(), False))),
    ("kl_div", lambda f, x, t: f.kl_div(f.log_softmax(x, 1), t(P / P.sum(1, keepdims=True),
                                                               False), reduction="batchmean")),
    ("poisson_nll", lambda f, x, t: f.poisson_nll_loss(x, t(P * 3, False), full=True)),
    ("gaussian_nll", lambda f, x, t: f.gaussian_nll_loss(x, t(Y, False), t(P, False), full=True)),
    ("hinge_embedding", lambda f, x, t: f.hinge_embedding_loss(
        x, t(np.sign(Y), False), margin=0.5)),
    ("multi_margin", lambda f, x, t: f.multi_margin_loss(x, t(T_IDX, False), p=2,
                                                         weight=t(W, False))),
    ("soft_margin", lambda f, x, t: f.soft_margin_loss(x, t(np.sign(Y), False))),
    ("margin_ranking", lambda f, x, t: f.margin_ranking_loss(x[:, 0], x[:, 1], t(SIGN, False),
                                                             margin=0.2)),
    ("cosine_embedding", lambda f, x, t: f.cosine_embedding_loss(x, t(Y, False), t(SIGN, False),
                                                                 margin=0.1)),
    ("triplet", lambda f, x, t: f.triplet_margin_loss(x, t(Y, False), t(P, False), swap=True)),
]


@pytest.mark.parametrize("name,call", LOSSES, ids=[n for n, _ in LOSSES])
def test_loss_value_and_gradient_match_torch(name, call):
    a, b = _ours(X), _theirs(X)

    def ours_t(v, rg):
        return autograd.tensor(v) if v.dtype.kind == "i" else _ours(v, rg)

    def theirs_t(v, rg):
        return torch.tensor(v) if v.dtype.kind == "i" else _theirs(v, rg)
    la, lb = call(F, a, ours_t), call(TF, b, theirs_t)
    np.testing.assert_allclose(la.detach().numpy(), lb.detach().numpy(), rtol=1e-10)
    la.backward()
    lb.backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_bce_clamp_and_huge_logits_match_torch():
    p = np.array([0.0, 1.0, 1e-30, 0.5], np.float32)
    y = np.array([1.0, 0.0, 1.0, 0.0], np.float32)
    np.testing.assert_allclose(
        F.binary_cross_entropy(autograd.tensor(p), autograd.tensor(y), reduction="none").numpy(),
        TF.binary_cross_entropy(torch.tensor(p), torch.tensor(y), reduction="none").numpy(),
        rtol=1e-6)
    z = np.array([[1e4, -1e4, 3.0], [-1e3, 1e3, 0.0]], np.float32)
    t = np.array([1, 2])
    np.testing.assert_allclose(
        F.cross_entropy(autograd.tensor(z), autograd.tensor(t), reduction="none").numpy(),
        TF.cross_entropy(torch.tensor(z), torch.tensor(t), reduction="none").numpy(), rtol=1e-6)


@pytest.mark.parametrize("scheme", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                    "kaiming_normal_", "orthogonal_"])
def test_init_statistics_match_torch(scheme):
    ours = nn.Parameter(autograd.empty(150, 200))
    theirs = torch.empty(150, 200)
    getattr(nn.init, scheme)(ours)
    getattr(torch.nn.init, scheme)(theirs)
    assert abs(ours._data.std() / theirs.numpy().std() - 1) < 0.03
    assert abs(ours._data.mean()) < 0.01 and abs(theirs.numpy().mean()) < 0.01


def test_linear_default_init_bounds_match_torch():
    ours, theirs = nn.Linear(300, 100), torch.nn.Linear(300, 100)
    for name in ("weight", "bias"):
        a = getattr(ours, name)._data
        b = getattr(theirs, name).detach().numpy()
        assert abs(np.abs(a).max() / np.abs(b).max() - 1) < 0.05
    assert math.isclose(nn.init.calculate_gain("leaky_relu", 0.3),
                        torch.nn.init.calculate_gain("leaky_relu", 0.3))


def test_clip_grad_norm_matches_torch():
    grads = [RNG.standard_normal((3, 4)) * 5, RNG.standard_normal(6)]
    ours = [nn.Parameter(autograd.zeros(*g.shape, dtype=autograd.float64)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad = autograd.tensor(g)
        t.grad = torch.tensor(g)
    for norm_type in (2.0, 1.0, math.inf):
        na = nn.utils.clip_grad_norm_(ours, 1.5, norm_type)
        nb = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type)
        np.testing.assert_allclose(na.item(), nb.item(), rtol=1e-10)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10)
