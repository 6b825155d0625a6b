"""Lazy modules: sizes from the first input, the eager layer's initialisation, in-place
materialisation (optimizers made before the first forward keep working), state-dict loading."""
import copy

import numpy as np
import pytest

import autograd
import nn
import optim


def test_lazy_linear_takes_in_features_from_the_first_input_and_becomes_linear():
    layer = nn.LazyLinear(3)
    assert layer.has_uninitialized_params()
    assert isinstance(layer.weight, nn.UninitializedParameter)
    out = layer(autograd.ones(4, 5))
    assert type(layer) is nn.Linear and layer.in_features == 5
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert type(layer.weight) is nn.Parameter and out.shape == (4, 3)


def test_initialisation_draws_what_the_eager_layer_draws():
    autograd.manual_seed(0)
    lazy = nn.LazyConv2d(4, 3)
    lazy(autograd.zeros(1, 2, 5, 5))
    autograd.manual_seed(0)
    eager = nn.Conv2d(2, 4, 3)
    for a, b in zip(lazy.parameters(), eager.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_an_optimizer_made_before_the_first_forward_trains_the_materialised_weights():
    model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = autograd.randn(32, 4), autograd.randn(32, 1)
    losses = []
    for _ in range(20):
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())


@pytest.mark.parametrize("make, shape, weight_shape", [
    (lambda: nn.LazyConv1d(6, 3, groups=2), (2, 4, 9), (6, 2, 3)),
    (lambda: nn.LazyConv3d(2, 2), (1, 3, 4, 4, 4), (2, 3, 2, 2, 2)),
    (lambda: nn.LazyConvTranspose2d(6, 3, groups=3), (2, 3, 5, 5), (3, 2, 3, 3)),
    (lambda: nn.LazyConv2d(4, 3), (3, 6, 6), (4, 3, 3, 3)),          # unbatched input
])
def test_lazy_convolutions_shape_their_kernels(make, shape, weight_shape):
    layer = make()
    layer(autograd.zeros(*shape))
    assert layer.weight.shape == weight_shape


def test_lazy_norms_allocate_parameters_and_running_statistics():
    bn = nn.LazyBatchNorm2d()
    bn(autograd.randn(4, 3, 2, 2))
    assert type(bn) is nn.BatchNorm2d and bn.num_features == 3
    assert bn.running_mean.shape == (3,) and int(bn.num_batches_tracked) == 1
    inorm = nn.LazyInstanceNorm1d()
    inorm(autograd.randn(5, 7))                 # unbatched (C, L): C = 5
    assert inorm.num_features == 5 and inorm.weight.shape == (5,)


def test_loading_a_state_dict_materialises_from_the_saved_shapes():
    source = nn.Sequential(nn.Linear(5, 3), nn.BatchNorm1d(3))
    lazy = nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d())
    lazy.load_state_dict(source.state_dict())
    assert type(lazy[0]) is nn.Linear and lazy[0].in_features == 5
    assert type(lazy[1]) is nn.BatchNorm1d and lazy[1].num_features == 3
    x = autograd.randn(4, 5)
    np.testing.assert_array_equal(lazy(x).detach().numpy(), source(x).detach().numpy())


def test_group_mismatch_raises_and_uninitialised_placeholders_copy():
    with pytest.raises(ValueError, match="in_channels \\(3\\).*groups \\(2\\)"):
        nn.LazyConv2d(4, 3, groups=2)(autograd.zeros(1, 3, 5, 5))
    layer = nn.LazyLinear(2)
    clone = copy.deepcopy(layer)
    assert isinstance(clone.weight, nn.UninitializedParameter)
    clone(autograd.zeros(1, 6))
    assert clone.in_features == 6 and isinstance(layer.weight, nn.UninitializedParameter)
    assert repr(layer) == "LazyLinear(in_features=0, out_features=2, bias=True)"
