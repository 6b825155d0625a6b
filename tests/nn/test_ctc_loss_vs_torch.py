"""ctc_loss / CTCLoss against PyTorch in float64: losses and gradients w.r.t. log_probs for
every reduction, zero_infinity, target layout and blank, including impossible alignments
(skipped when torch is missing)."""
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

RNG = np.random.default_rng(11)


def _case(blank, impossible):
    t, n, c, s = 12, 4, 5, 4
    x = RNG.standard_normal((t, n, c))
    lp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    labels = [k for k in range(c) if k != blank]
    targets = RNG.choice(labels, (n, s))
    targets[1, 1] = targets[1, 0]  # a repeat needs a blank between
    input_lengths = np.array([12, 10, 3 if impossible else 9, 7])
    target_lengths = np.array([4, 3, 4, 0])
    return lp, targets, input_lengths, target_lengths


def _compare(lp, targets, input_lengths, target_lengths, concatenated=False, **kw):
    if concatenated:
        targets = np.concatenate([row[:k] for row, k in zip(targets, target_lengths)])
    a = autograd.tensor(lp, requires_grad=True)
    b = torch.tensor(lp, requires_grad=True)
    ya = F.ctc_loss(a, autograd.tensor(targets), autograd.tensor(input_lengths),
                    autograd.tensor(target_lengths), **kw)
    yb = TF.ctc_loss(b, torch.tensor(targets), torch.tensor(input_lengths),
                     torch.tensor(target_lengths), **kw)
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-10, atol=1e-10)
    g = RNG.standard_normal(tuple(yb.shape))
    ya.backward(autograd.tensor(g))
    yb.backward(torch.tensor(g))
    # (nan where PyTorch's gradient of an infinite loss is nan)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("reduction,zero_infinity,impossible,concatenated,blank",
                         list(itertools.product(["none", "sum", "mean"], [False, True],
                                                [False, True], [False, True], [0, 2])))
def test_ctc_loss_matches_torch(reduction, zero_infinity, impossible, concatenated, blank):
    _compare(*_case(blank, impossible), concatenated=concatenated, blank=blank,
             reduction=reduction, zero_infinity=zero_infinity)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_unbatched_and_layer_match_torch(reduction):
    x = RNG.standard_normal((6, 4))
    lp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    a, b = autograd.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    ya = nn.CTCLoss(blank=3, reduction=reduction)(a, autograd.tensor([1, 1, 2]), 6, 3)
    yb = torch.nn.CTCLoss(blank=3, reduction=reduction)(b, torch.tensor([1, 1, 2]),
                                                        torch.tensor(6), torch.tensor(3))
    assert tuple(ya.shape) == tuple(yb.shape)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-10)
    ya.backward()
    yb.backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert repr(nn.CTCLoss()) == repr(torch.nn.CTCLoss())


def test_gradient_through_log_softmax_matches_torch():
    x = RNG.standard_normal((10, 3, 6))
    a, b = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    targets, il, tl = np.array([[1, 2, 3], [4, 4, 5], [2, 0, 0]]), [10, 8, 5], [3, 3, 1]
    F.ctc_loss(a.log_softmax(-1), autograd.tensor(targets), il, tl).backward()
    TF.ctc_loss(b.log_softmax(-1), torch.tensor(targets), torch.tensor(il),
                torch.tensor(tl)).backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bad_input_raises_like_torch():
    lp_t = torch.randn(5, 2, 4).log_softmax(-1)
    lp_a = autograd.tensor(lp_t.numpy())
    cases = [((torch.tensor([[1, 2], [1, 2]]), (6, 5), (2, 2)), {}),        # input too long
             ((torch.tensor([[1, 2], [1, 2]]), (5, 5), (2, 2)), {"reduction": "avg"}),
             ((torch.tensor([[1, 2], [1, 2]]), (5, 5), (2, 2)), {"blank": 4})]
    for (targets, il, tl), kw in cases:
        with pytest.raises(Exception) as theirs:
            TF.ctc_loss(lp_t, targets, torch.tensor(il), torch.tensor(tl), **kw)
        with pytest.raises(theirs.type):
            F.ctc_loss(lp_a, autograd.tensor(targets.numpy()), il, tl, **kw)
