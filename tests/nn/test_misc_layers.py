"""InstanceNorm, LocalResponseNorm, the distance layers and MultiLabelSoftMarginLoss: values
computed by hand."""
import math

import numpy as np
import pytest

import autograd
import nn


def test_instance_norm_standardises_each_sample_and_channel_plane():
    x = autograd.tensor(np.array([[[1.0, 3.0], [10.0, 10.0 + 2.0]]]))  # (1, 2, 2)
    y = nn.InstanceNorm1d(2, eps=0.0)(x)
    assert y.tolist() == [[[-1.0, 1.0], [-1.0, 1.0]]]  # mean removed, biased std 1 per plane
    with pytest.raises(ValueError, match=r"expected 2D \(unbatched\) or 3D .* \(4,\)"):
        nn.InstanceNorm1d(2)(autograd.ones(4))


def test_local_response_norm_by_hand():
    x = autograd.tensor(np.array([[[1.0], [2.0]]]))  # (1, C=2, 1)
    # size 2 reaches one channel back: channel 0 sees 1^2, channel 1 sees 1^2 + 2^2
    y = nn.LocalResponseNorm(2, alpha=2.0, beta=1.0, k=1.0)(x)
    assert y.reshape(-1).tolist() == pytest.approx([1.0 / (1 + 1.0), 2.0 / (1 + 5.0)])


def test_distance_layers_and_multilabel_loss_by_hand():
    a = autograd.tensor([[3.0, 4.0]])
    b = autograd.tensor([[4.0, -3.0]])
    assert nn.CosineSimilarity()(a, b).tolist() == [0.0]
    assert nn.PairwiseDistance(eps=0.0)(a, b).tolist() == pytest.approx([math.sqrt(50.0)])
    x = autograd.zeros(2, 3)
    y = autograd.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    assert float(nn.MultiLabelSoftMarginLoss()(x, y)) == pytest.approx(math.log(2.0))
    weight = autograd.tensor([1.0, 2.0, 3.0])
    assert nn.MultiLabelSoftMarginLoss(weight, reduction="none")(x, y).tolist() == \
        pytest.approx([2.0 * math.log(2.0)] * 2)
