"""Gradient checks (first and second order, float64) and hand-computed values of the composed
functions in nn/_functional_extra.py: no PyTorch needed."""
import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck

from _nn_helpers import away_from_zero, randn


def _both(fn, *inputs):
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_pdist_values_by_hand_and_gradients():
    x = autograd.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    np.testing.assert_allclose(F.pdist(x)._data, [5.0, 1.0, math.sqrt(18.0)], rtol=1e-6)
    np.testing.assert_allclose(F.pdist(x, 1)._data, [7.0, 1.0, 6.0])
    np.testing.assert_allclose(F.pdist(x, math.inf)._data, [4.0, 1.0, 3.0])
    _both(lambda t: F.pdist(t, 3), randn(4, 3))
    _both(F.pdist, randn(4, 3))


def test_pdist_gradient_of_equal_rows_is_zero_not_nan():
    x = autograd.tensor([[1.0, 2.0], [1.0, 2.0]], dtype=autograd.float64, requires_grad=True)
    F.pdist(x, 3).sum().backward()
    np.testing.assert_array_equal(x.grad._data, 0.0)


def test_multilabel_margin_loss_by_hand_and_gradients():
    # targets {3, 0}: pairs (3 vs 1, 2) and (0 vs 1, 2), each 1 - (x_j - x_i), over C = 4
    x = autograd.tensor([[0.1, 0.2, 0.4, 0.8]])
    y = autograd.tensor([[3, 0, -1, 1]])
    expected = ((1 - 0.8 + 0.2) + (1 - 0.8 + 0.4) + (1 - 0.1 + 0.2) + (1 - 0.1 + 0.4)) / 4
    np.testing.assert_allclose(F.multilabel_margin_loss(x, y).item(), expected, rtol=1e-6)
    t = autograd.tensor([[1, 3, -1, 0], [2, -1, 0, 0], [-1, 2, 2, 2]])
    _both(lambda x: F.multilabel_margin_loss(x, t, reduction="none"), randn(3, 4, scale=0.1))


def test_triplet_margin_with_distance_loss_by_hand_and_gradients():
    a = autograd.tensor([[0.0, 0.0]])
    p = autograd.tensor([[3.0, 4.0]])
    n = autograd.tensor([[1.0, 0.0]])
    l1 = lambda u, v: (u - v).abs().sum(-1)  # noqa: E731
    # d(a, p) = 7, d(a, n) = 1; swap: d(p, n) = 6 is larger, so min keeps 1
    loss = F.triplet_margin_with_distance_loss(a, p, n, distance_function=l1, swap=True)
    assert loss.item() == pytest.approx(7.0)
    args = (randn(3, 4), randn(3, 4, rng=np.random.default_rng(1)),
            randn(3, 4, rng=np.random.default_rng(2)))
    _both(lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, margin=5.0), *args)


def test_lp_pool_by_hand_and_gradients():
    x = autograd.tensor([[[3.0, 4.0, 1.0, 1.0]]])
    np.testing.assert_allclose(F.lp_pool1d(x, 2, 2)._data, [[[5.0, math.sqrt(2.0)]]],
                               rtol=1e-6)
    np.testing.assert_allclose(F.lp_pool1d(x, math.inf, 2)._data, [[[4.0, 1.0]]])
    # first order only: avg_pool2d has no double backward
    assert gradcheck(lambda t: F.lp_pool2d(t, 2, 2), (randn(1, 2, 4, 4),))
    positive = autograd.tensor(np.abs(away_from_zero(2, 5)._data), requires_grad=True)
    assert gradcheck(lambda t: F.lp_pool1d(t, 3, 2, 1), (positive,))


def test_rrelu_eval_uses_the_mean_slope():
    x = autograd.tensor([-2.0, 3.0])
    np.testing.assert_allclose(nn.RReLU(0.1, 0.3).eval()(x)._data, [-0.4, 3.0], rtol=1e-6)
    _both(lambda t: F.rrelu(t, 0.1, 0.3), away_from_zero(5))


def test_inplace_activation_double_backward_through_the_recorded_node():
    def fn(t):
        y = t * 1.0
        F.elu_(y, 0.5)
        return y
    _both(fn, away_from_zero(6))


def test_gumbel_softmax_straight_through_gradient_is_the_soft_one():
    logits = randn(4, 3)
    autograd.manual_seed(0)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    autograd.manual_seed(0)
    soft = F.gumbel_softmax(logits, tau=0.5)
    g = autograd.tensor(np.random.default_rng(3).standard_normal((4, 3)))
    gh, = autograd.grad(hard, logits, g)
    gs, = autograd.grad(soft, logits, g)
    np.testing.assert_allclose(gh._data, gs._data, rtol=1e-12)
    np.testing.assert_array_equal(hard._data, np.eye(3)[soft._data.argmax(-1)])


def test_channel_dropout_at_p_one_and_p_zero():
    x = randn(2, 3, 2, 2, 2)
    assert F.dropout3d(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout3d(x, 1.0)._data, 0.0)
    y = F.feature_alpha_dropout(x, 1.0, True)
    np.testing.assert_array_equal(y._data, 0.0)
