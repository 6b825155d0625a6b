"""ctc_loss without PyTorch: losses counted by hand from the alignments, errors, and the
first-derivative-only rule."""
import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F


def _uniform(t, c):
    return autograd.full((t, 1, c), -math.log(c), dtype=autograd.float64)


def test_uniform_frames_count_the_alignments():
    # T = 2 frames, C = 2 classes (blank 0, label 1), target [1]: alignments "1 1", "0 1",
    # "1 0", each of probability 1/4
    loss = F.ctc_loss(_uniform(2, 2), autograd.tensor([[1]]), [2], [1], reduction="none")
    np.testing.assert_allclose(loss.numpy(), [-math.log(3 / 4)])
    # an empty target has the single alignment "0 0"
    loss = F.ctc_loss(_uniform(2, 2), autograd.tensor([[1]]), [2], [0], reduction="sum")
    np.testing.assert_allclose(loss.numpy(), -math.log(1 / 4))
    # 'mean' divides by the target length: target [1, 1] needs "1 0 1": one alignment in 27
    loss = F.ctc_loss(_uniform(3, 3), autograd.tensor([[1, 1]]), [3], [2])
    np.testing.assert_allclose(loss.numpy(), -math.log(1 / 27) / 2)


def test_impossible_alignments_are_infinite_or_zeroed():
    # a repeated label needs three frames; two cannot hold it
    lp = _uniform(2, 2).requires_grad_()
    loss = F.ctc_loss(lp, autograd.tensor([[1, 1]]), [2], [2], reduction="sum")
    assert math.isinf(loss.item())
    loss = nn.CTCLoss(reduction="sum", zero_infinity=True)(lp, autograd.tensor([[1, 1]]), [2],
                                                           [2])
    assert loss.item() == 0.0
    loss.backward()
    assert lp.grad.numpy().tolist() == np.zeros((2, 1, 2)).tolist()


def test_gradient_is_pytorchs_probability_minus_posterior():
    # one frame, target [1]: the only alignment is "1"; g = exp(lp) - [c == 1]
    lp = autograd.tensor(np.log([[[0.2, 0.5, 0.3]]]), requires_grad=True)
    F.ctc_loss(lp, autograd.tensor([[1]]), [1], [1], reduction="sum").backward()
    np.testing.assert_allclose(lp.grad.numpy(), [[[0.2, -0.5, 0.3]]], atol=1e-12)


def test_errors_and_no_double_backward():
    lp = _uniform(3, 3).requires_grad_()
    with pytest.raises(RuntimeError, match="input_lengths to have value at most 3"):
        F.ctc_loss(lp, autograd.tensor([[1]]), [4], [1])
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.ctc_loss(lp, autograd.tensor([[1]]), [3], [1], reduction="avg")
    with pytest.raises(RuntimeError, match=r"target classes must be in \[0, 3\)"):
        F.ctc_loss(lp, autograd.tensor([[5]]), [3], [1])
    with pytest.raises(RuntimeError, match="concatenated targets of length 2"):
        F.ctc_loss(lp, autograd.tensor([1, 2]), [3], [1])
    with pytest.raises(RuntimeError, match="does not support double backward"):
        autograd.grad(F.ctc_loss(lp, autograd.tensor([[1]]), [3], [1]), lp, create_graph=True)
