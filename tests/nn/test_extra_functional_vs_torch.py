"""In-place and randomised activations, gumbel softmax, pdist, the multi-label and
custom-distance triplet losses, power-average pooling and channel dropout compared with PyTorch
in float64 (skipped when torch is not installed)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(7)


def _pair(a, requires_grad=True):
    return (autograd.tensor(a, dtype=autograd.float64, requires_grad=requires_grad),
            torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad))


def _check(ours_fn, theirs_fn, *arrays, rtol=1e-10, atol=1e-12):
    """Values and input gradients (for a random upstream gradient) of both functions agree."""
    pairs = [_pair(a) for a in arrays]
    ya = ours_fn(*[p[0] for p in pairs])
    yb = theirs_fn(*[p[1] for p in pairs])
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=rtol, atol=atol)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-11)


def _away_from_zero(*shape):
    return RNG.uniform(0.2, 2.0, shape) * np.where(RNG.random(shape) < 0.5, -1.0, 1.0)


# ---------------------------------------------------------------------- in-place activations
INPLACE = [
    ("relu_", (), {}),
    ("elu_", (0.7,), {}),
    ("leaky_relu_", (0.2,), {}),
    ("hardtanh_", (-0.5, 0.8), {}),
    ("selu_", (), {}),
    ("celu_", (2.0,), {}),  # 1/alpha exact: PyTorch rounds it to float32
    ("threshold_", (0.3, -2.0), {}),
    ("rrelu_", (0.1, 0.3), {}),  # eval: the fixed mean slope
]


@pytest.mark.parametrize("name,args,kwargs", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_activation_matches_torch_and_writes_into_its_input(name, args, kwargs):
    x = _away_from_zero(3, 4)
    a_leaf, b_leaf = _pair(x)
    a, b = a_leaf * 1.0, b_leaf * 1.0
    ra = getattr(F, name)(a, *args, **kwargs)
    rb = getattr(TF, name)(b, *args, **kwargs)
    assert ra is a and rb is b
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    g = RNG.standard_normal(x.shape)
    a.backward(autograd.tensor(g))
    b.backward(torch.tensor(g))
    np.testing.assert_allclose(a_leaf.grad.numpy(), b_leaf.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", [c[0] for c in INPLACE])
def test_inplace_activation_on_a_leaf_that_requires_grad_raises_like_torch(name):
    a, b = _pair(np.ones(3))
    args = next(c[1] for c in INPLACE if c[0] == name)
    with pytest.raises(RuntimeError):
        getattr(TF, name)(b, *args)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(a, *args)


def test_inplace_activation_without_grad_updates_the_array_in_place():
    x = autograd.tensor([-1.0, 2.0, -3.0])
    data = x._data
    F.leaky_relu_(x, 0.5)
    assert x._data is data
    np.testing.assert_array_equal(data, [-0.5, 2.0, -1.5])


# ---------------------------------------------------------------------- rrelu
def test_rrelu_eval_matches_torch():
    _check(lambda x: F.rrelu(x, 0.1, 0.4), lambda x: TF.rrelu(x, 0.1, 0.4),
           _away_from_zero(4, 5))
    _check(lambda x: nn.RReLU().eval()(x), lambda x: torch.nn.RReLU().eval()(x),
           _away_from_zero(6))


def test_rrelu_training_draws_slopes_in_range_and_differentiates_through_them():
    x = autograd.tensor(_away_from_zero(200), dtype=autograd.float64, requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    xd, yd, gd = x._data, y._data, x.grad._data
    neg = xd < 0
    np.testing.assert_array_equal(yd[~neg], xd[~neg])
    slopes = yd[neg] / xd[neg]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3))
    assert len(np.unique(np.round(slopes, 12))) > 10  # one draw per element
    np.testing.assert_allclose(gd[neg], slopes, rtol=1e-12)
    np.testing.assert_array_equal(gd[~neg], 1.0)


def test_rrelu_training_is_reproducible_under_manual_seed():
    x = autograd.tensor(-np.ones(10))
    autograd.manual_seed(3)
    a = F.rrelu(x, training=True)._data
    autograd.manual_seed(3)
    b = F.rrelu(x, training=True)._data
    np.testing.assert_array_equal(a, b)


def test_rrelu_rejects_lower_above_upper_like_torch():
    x = torch.randn(3)
    with pytest.raises(RuntimeError, match="Lower bound"):
        TF.rrelu(x, 0.5, 0.1)
    with pytest.raises(RuntimeError, match="Lower bound"):
        F.rrelu(autograd.randn(3), 0.5, 0.1)
    assert repr(nn.RReLU(0.1, 0.3)) == repr(torch.nn.RReLU(0.1, 0.3))


# ---------------------------------------------------------------------- gumbel softmax
@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_matches_torch_given_the_same_noise(hard, monkeypatch):
    logits = RNG.standard_normal((3, 5))
    e = RNG.exponential(1.0, (3, 5))

    def fixed_noise(self, shape, lambd):
        assert shape == (3, 5) and lambd == 1.0
        return e

    monkeypatch.setattr(autograd.random.Generator, "exponential", fixed_noise)
    ours = lambda x: F.gumbel_softmax(x, tau=0.7, hard=hard, dim=0)  # noqa: E731

    def theirs(x):
        y_soft = ((x - torch.tensor(e).log()) / 0.7).softmax(0)
        if not hard:
            return y_soft
        index = y_soft.max(0, keepdim=True)[1]
        y_hard = torch.zeros_like(x).scatter_(0, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    _check(ours, theirs, logits)


def test_gumbel_softmax_samples_are_distributions_and_hard_ones_are_one_hot():
    logits = autograd.tensor(RNG.standard_normal((50, 4)), dtype=autograd.float32,
                             requires_grad=True)
    soft = F.gumbel_softmax(logits)
    np.testing.assert_allclose(soft._data.sum(-1), 1.0, rtol=1e-6)
    hard = F.gumbel_softmax(logits, hard=True)
    assert hard.dtype == autograd.float32
    assert set(np.unique(hard._data)) <= {0.0, 1.0}
    np.testing.assert_array_equal(hard._data.sum(-1), 1.0)
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(logits, eps=1e-5)
    # the frequencies of the hard samples follow softmax(logits)
    many = F.gumbel_softmax(autograd.tensor(np.tile([0.0, 1.0, 2.0], (20000, 1))), hard=True)
    p = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(many._data.mean(0), p, atol=0.02)


# ---------------------------------------------------------------------- pdist
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, math.inf])
def test_pdist_matches_torch(p):
    _check(lambda x: F.pdist(x, p), lambda x: TF.pdist(x, p), RNG.standard_normal((5, 3)))


@pytest.mark.parametrize("p", [2, 1, 3])
def test_pdist_of_equal_rows_has_zero_distance_and_gradient_like_torch(p):
    x = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.5]])
    _check(lambda x: F.pdist(x, p), lambda x: TF.pdist(x, p), x)


def test_pdist_errors_match_torch():
    for bad in (np.ones(3), np.ones((2, 3, 4))):
        with pytest.raises(RuntimeError, match="2D"):
            TF.pdist(torch.tensor(bad))
        with pytest.raises(RuntimeError, match="2D"):
            F.pdist(autograd.tensor(bad))
    with pytest.raises(RuntimeError, match="non-negative"):
        F.pdist(autograd.randn(3, 2), p=-1)
    with pytest.raises(RuntimeError, match="floating"):
        F.pdist(autograd.tensor([[1, 2], [3, 4]]))
    assert tuple(F.pdist(autograd.randn(1, 3)).shape) == tuple(TF.pdist(torch.randn(1, 3)).shape)


# ---------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss_matches_torch(reduction, swap):
    shapes = [(6, 4)] * 3
    arrays = [RNG.standard_normal(s) for s in shapes]
    _check(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, swap=swap, margin=2.0,
                                                               reduction=reduction),
           lambda a, p, n: TF.triplet_margin_with_distance_loss(a, p, n, swap=swap, margin=2.0,
                                                                reduction=reduction), *arrays)


def test_triplet_margin_with_distance_loss_module_with_a_custom_distance_matches_torch():
    arrays = [RNG.standard_normal((5, 3)) for _ in range(3)]
    ours = nn.TripletMarginWithDistanceLoss(
        distance_function=lambda a, b: 1.0 - F.cosine_similarity(a, b), margin=0.5)
    theirs = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda a, b: 1.0 - TF.cosine_similarity(a, b), margin=0.5)
    _check(ours, theirs, *arrays)
    assert repr(nn.TripletMarginWithDistanceLoss()) == \
        repr(torch.nn.TripletMarginWithDistanceLoss())


def test_triplet_margin_with_distance_loss_errors_match_torch():
    a, p, n = autograd.randn(3, 2), autograd.randn(3, 2), autograd.randn(3)
    ta, tp, tn = torch.randn(3, 2), torch.randn(3, 2), torch.randn(3)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        TF.triplet_margin_with_distance_loss(ta, tp, tn)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_with_distance_loss(a, p, n)
    for kwargs in ({"margin": 0.0}, {"reduction": "avg"}):
        with pytest.raises(ValueError):
            TF.triplet_margin_with_distance_loss(ta, tp, tp, **kwargs)
        with pytest.raises(ValueError):
            F.triplet_margin_with_distance_loss(a, p, p, **kwargs)
    with pytest.raises(ValueError):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)


def _multilabel_targets(n, c):
    rows = []
    for _ in range(n):
        k = RNG.integers(0, c + 1)
        row = list(RNG.permutation(c)[:k]) + [-1] * (c - k)
        if k < c - 1:
            row[k + 1] = RNG.integers(-1, c)  # ignored: after the first -1
        rows.append(row)
    return np.array(rows, np.int64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_matches_torch(reduction):
    x = RNG.standard_normal((6, 5))
    t = _multilabel_targets(6, 5)
    _check(lambda x: F.multilabel_margin_loss(x, autograd.tensor(t), reduction=reduction),
           lambda x: TF.multilabel_margin_loss(x, torch.tensor(t), reduction=reduction), x)
    _check(lambda x: nn.MultiLabelMarginLoss(reduction=reduction)(x, autograd.tensor(t[0])),
           lambda x: torch.nn.MultiLabelMarginLoss(reduction=reduction)(x, torch.tensor(t[0])),
           x[0])


def test_multilabel_margin_loss_counts_a_repeated_target_twice_like_torch():
    x = RNG.standard_normal((1, 4))
    t = np.array([[2, 2, 0, -1]])
    _check(lambda x: F.multilabel_margin_loss(x, autograd.tensor(t)),
           lambda x: TF.multilabel_margin_loss(x, torch.tensor(t)), x)


def test_multilabel_margin_loss_errors_match_torch():
    x = [[0.1, 0.2, 0.4, 0.8]]
    for t in ([[3, 0, -1]], [[5, 0, -1, 1]]):
        with pytest.raises(RuntimeError):
            TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t))
        with pytest.raises(RuntimeError):
            F.multilabel_margin_loss(autograd.tensor(x), autograd.tensor(t))
    with pytest.raises(RuntimeError, match="Long"):
        TF.multilabel_margin_loss(torch.tensor(x), torch.tensor([[3.0, 0, -1, 1]]))
    with pytest.raises(RuntimeError, match="Long"):
        F.multilabel_margin_loss(autograd.tensor(x), autograd.tensor([[3.0, 0, -1, 1]]))
    # values after the first -1 are checked but never read
    for t in ([[3, -1, 7, 1]], [[3, -1, -2, 1]]):
        with pytest.raises(RuntimeError, match="out of range"):
            TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t))
        with pytest.raises(RuntimeError, match="out of range"):
            F.multilabel_margin_loss(autograd.tensor(x), autograd.tensor(t))
    ok = [[3, -1, 2, 1]]
    np.testing.assert_allclose(
        F.multilabel_margin_loss(autograd.tensor(x), autograd.tensor(ok)).item(),
        TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(ok)).item(), rtol=1e-6)


# ---------------------------------------------------------------------- pooling
def test_with_indices_wrappers_match_torch():
    x = RNG.standard_normal((2, 3, 7, 6))
    cases = [
        ("max_pool2d_with_indices", x, (3,), {"stride": 2, "padding": 1}),
        ("max_pool1d_with_indices", x[:, :, 0], (3,), {"stride": 2, "ceil_mode": True}),
        ("adaptive_max_pool2d_with_indices", x, ((3, 2),), {}),
        ("adaptive_max_pool1d_with_indices", x[:, :, 0], (4,), {}),
    ]
    for name, arr, args, kwargs in cases:
        va, ia = getattr(F, name)(autograd.tensor(arr), *args, **kwargs)
        vb, ib = getattr(TF, name)(torch.tensor(arr), *args, **kwargs)
        np.testing.assert_allclose(va.numpy(), vb.numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_array_equal(ia.numpy(), ib.numpy(), err_msg=name)


@pytest.mark.parametrize("norm_type", [2, 3, 1.5, math.inf])
@pytest.mark.parametrize("kernel,stride,ceil", [(3, None, False), (2, 1, False), (3, 2, True)])
def test_lp_pool1d_matches_torch(norm_type, kernel, stride, ceil):
    x = np.abs(RNG.standard_normal((2, 3, 8))) + 0.1  # clear of the kink at 0 for p = 1.5
    _check(lambda x: F.lp_pool1d(x, norm_type, kernel, stride, ceil),
           lambda x: TF.lp_pool1d(x, norm_type, kernel, stride, ceil), x)


@pytest.mark.parametrize("norm_type", [2, 1.5, math.inf])
@pytest.mark.parametrize("kernel,stride,ceil", [(2, None, False), ((2, 3), (1, 2), False),
                                                (3, 2, True)])
def test_lp_pool2d_matches_torch(norm_type, kernel, stride, ceil):
    x = np.abs(RNG.standard_normal((2, 2, 7, 8))) + 0.1
    _check(lambda x: F.lp_pool2d(x, norm_type, kernel, stride, ceil),
           lambda x: TF.lp_pool2d(x, norm_type, kernel, stride, ceil), x)


def test_lp_pool_modules_match_torch_on_signed_input_with_p2():
    x = RNG.standard_normal((2, 3, 6, 6))
    _check(nn.LPPool2d(2, 3, stride=2), torch.nn.LPPool2d(2, 3, stride=2), x)
    _check(nn.LPPool1d(2, 2), torch.nn.LPPool1d(2, 2), x[:, :, 0])
    assert repr(nn.LPPool2d(2, 3)) == repr(torch.nn.LPPool2d(2, 3))
    assert repr(nn.LPPool1d(1.5, 3, 2)) == repr(torch.nn.LPPool1d(1.5, 3, 2))


# ---------------------------------------------------------------------- channel dropout
def _channel_structure(out, x, dims):
    """Per (sample, channel): the ratio out / x is one constant (dims = spatial axes)."""
    ratio = out / x
    return np.allclose(ratio, ratio.mean(axis=dims, keepdims=True))


def test_dropout3d_zeroes_whole_channels_and_scales_like_torch():
    x = np.abs(RNG.standard_normal((4, 6, 2, 3, 2))) + 0.1
    ours = F.dropout3d(autograd.tensor(x), 0.4)._data
    theirs = TF.dropout3d(torch.tensor(x), 0.4).numpy()
    for out in (ours, theirs):
        assert _channel_structure(out, x, (2, 3, 4))
        assert set(np.round(np.unique(out / x), 9)) <= {0.0, round(1 / 0.6, 9)}
    unbatched = F.dropout3d(autograd.tensor(x[0]), 0.4)._data
    assert _channel_structure(unbatched, x[0], (1, 2, 3))
    xt = autograd.tensor(x)
    assert F.dropout3d(xt, 0.4, training=False) is xt
    np.testing.assert_array_equal(nn.Dropout3d(0.4).eval()(autograd.tensor(x))._data, x)
    assert repr(nn.Dropout3d(0.3)) == repr(torch.nn.Dropout3d(0.3))


def test_dropout3d_warns_on_other_ranks_and_checks_p_like_torch():
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        TF.dropout3d(torch.randn(2, 3, 4))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(autograd.randn(2, 3, 4))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout3d(autograd.randn(2, 3, 4, 4), 1.5)


def test_feature_alpha_dropout_matches_torch_given_the_same_mask(monkeypatch):
    x = RNG.standard_normal((3, 4, 5))
    p = 0.3
    keep = RNG.random((3, 4, 1)) >= p

    def fixed_mask(self, shape, keep_probability):
        assert shape == (3, 4, 1) and keep_probability == 1 - p
        return keep

    monkeypatch.setattr(autograd.random.Generator, "bernoulli", fixed_mask)
    alpha = 1.7580993408473766
    a = 1.0 / math.sqrt((alpha ** 2 * p + 1) * (1 - p))
    noise = torch.tensor(keep, dtype=torch.float64)
    # ATen's formula: input * (noise * a) + (noise - 1) * alpha * a + alpha * a * p
    _check(lambda x: F.feature_alpha_dropout(x, p, True),
           lambda x: x * (noise * a) + ((noise - 1) * alpha * a + alpha * a * p), x)


def test_feature_alpha_dropout_keeps_selu_statistics_and_structure_like_torch():
    x = autograd.tensor(np.full((4000, 8, 3), 0.0))
    out = F.feature_alpha_dropout(x, 0.5, True)._data
    theirs = TF.feature_alpha_dropout(torch.zeros(4000, 8, 3), 0.5, True).numpy()
    for o in (out, theirs):
        assert np.allclose(o, o[:, :, :1])
        assert len(np.unique(np.round(o, 5))) == 2
    np.testing.assert_allclose(np.sort(np.unique(np.round(out, 5))),
                               np.sort(np.unique(np.round(theirs, 5))), rtol=1e-4)
    np.testing.assert_array_equal(F.feature_alpha_dropout(x, 0.5, False)._data, x._data)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(autograd.randn(3), 0.5, True)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        TF.feature_alpha_dropout(torch.randn(3), 0.5, True)
    assert repr(nn.FeatureAlphaDropout(0.2)) == repr(torch.nn.FeatureAlphaDropout(0.2))
