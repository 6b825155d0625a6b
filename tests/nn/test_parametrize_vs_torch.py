"""Legacy weight_norm / spectral_norm hooks, nn.utils.parametrize and the ready-made
parametrizations compared with PyTorch in float64: state-dict keys, values, power iteration,
gradients, checkpoints loading across, errors (skipped when torch is not installed)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import nn  # noqa: E402
from nn.utils import parametrize  # noqa: E402

RNG = np.random.default_rng(5)
P, TP = nn.utils.parametrizations, torch.nn.utils.parametrizations


def _np(t):
    return t.detach().numpy()


def _load_into_torch(ours, theirs):
    """Copy every state-dict entry of `ours` into the tensor of the same key in `theirs`."""
    target = theirs.state_dict(keep_vars=True)
    assert list(ours.state_dict()) == list(target)
    with torch.no_grad():
        for key, value in ours.state_dict().items():
            target[key].copy_(torch.from_numpy(value.numpy().copy()))


def _run_both(ours, theirs, x_shape, steps=1):
    """Forward (and backward with a random upstream gradient) `steps` times; compare outputs,
    input gradients and the gradient of every parameter (by state-dict key)."""
    for _ in range(steps):
        x = RNG.standard_normal(x_shape)
        xa = autograd.tensor(x, requires_grad=True)
        xb = torch.tensor(x, requires_grad=True)
        ya, yb = ours(xa), theirs(xb)
        np.testing.assert_allclose(_np(ya), _np(yb), rtol=1e-10, atol=1e-12)
        g = RNG.standard_normal(tuple(yb.shape))
        ya.backward(autograd.tensor(g))
        yb.backward(torch.tensor(g))
        np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-9, atol=1e-11)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=1e-8,
                                   atol=1e-10, err_msg=name)
    for (ka, a), (kb, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert ka == kb
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12, err_msg=ka)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return fn(*args, **kwargs)


# ---------------------------------------------------------------------- legacy weight norm
LAYERS = [
    ("linear", lambda m: m.Linear(3, 4), (5, 3)),
    ("conv2d", lambda m: m.Conv2d(2, 3, 2), (2, 2, 4, 4)),
]


@pytest.mark.parametrize("dim", [0, 1, None, -2])
@pytest.mark.parametrize("name,make,x_shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_legacy_weight_norm_matches_torch(name, make, x_shape, dim):
    with pytest.warns(FutureWarning) as rec_ours:
        ours = nn.utils.weight_norm(make(nn).double(), dim=dim)
    with pytest.warns(FutureWarning) as rec_theirs:
        theirs = torch.nn.utils.weight_norm(make(torch.nn).double(), dim=dim)
    assert str(rec_ours[0].message) == str(rec_theirs[0].message)
    assert tuple(ours.weight_g.shape) == tuple(theirs.weight_g.shape)
    _load_into_torch(ours, theirs)
    np.testing.assert_allclose(_np(ours.weight_g), _np(ours.weight_v.norm()) if dim is None
                               else _np(theirs.weight_g), rtol=1e-12)
    _run_both(ours, theirs, x_shape, steps=2)
    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(_np(ours.weight), _np(theirs.weight), rtol=1e-12)
    assert isinstance(ours.weight, nn.Parameter)


def test_legacy_weight_norm_errors_match_torch():
    m, tm = _quiet(nn.utils.weight_norm, nn.Linear(2, 2)), \
        _quiet(torch.nn.utils.weight_norm, torch.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        _quiet(torch.nn.utils.weight_norm, tm)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        _quiet(nn.utils.weight_norm, m)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        torch.nn.utils.remove_weight_norm(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(nn.Linear(2, 2))


# ---------------------------------------------------------------------- legacy spectral norm
SN_LAYERS = LAYERS + [("conv_transpose2d", lambda m: m.ConvTranspose2d(3, 2, 2), (2, 3, 3, 3))]


@pytest.mark.parametrize("n_iter", [1, 3])
@pytest.mark.parametrize("name,make,x_shape", SN_LAYERS, ids=[c[0] for c in SN_LAYERS])
def test_legacy_spectral_norm_matches_torch_in_training_and_eval(name, make, x_shape, n_iter):
    ours = nn.utils.spectral_norm(make(nn).double(), n_power_iterations=n_iter)
    theirs = torch.nn.utils.spectral_norm(make(torch.nn).double(), n_power_iterations=n_iter)
    assert tuple(ours.weight_u.shape) == tuple(theirs.weight_u.shape)
    assert tuple(ours.weight_v.shape) == tuple(theirs.weight_v.shape)
    np.testing.assert_allclose(np.linalg.norm(ours.weight_u.numpy()), 1.0, rtol=1e-12)
    _load_into_torch(ours, theirs)
    _run_both(ours, theirs, x_shape, steps=2)  # u and v advance in both
    ours.eval()
    theirs.eval()
    _run_both(ours, theirs, x_shape)  # no iteration: u and v stay
    nn.utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(_np(ours.weight), _np(theirs.weight), rtol=1e-10)


def test_legacy_spectral_norm_divides_by_the_largest_singular_value_after_iterating():
    m = nn.utils.spectral_norm(nn.Linear(5, 6).double(), n_power_iterations=50)
    m(autograd.randn(1, 5, dtype=autograd.float64))
    np.testing.assert_allclose(np.linalg.svd(m.weight.detach().numpy())[1][0], 1.0,
                               rtol=1e-8)


def test_legacy_spectral_norm_errors_match_torch():
    m, tm = nn.utils.spectral_norm(nn.Linear(2, 2)), \
        torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        torch.nn.utils.spectral_norm(tm)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="n_power_iterations"):
        torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="n_power_iterations"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)


# ---------------------------------------------------------------------- parametrizations
@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrized_weight_norm_matches_torch(dim):
    ours = P.weight_norm(nn.Linear(3, 4).double(), dim=dim)
    theirs = TP.weight_norm(torch.nn.Linear(3, 4).double(), dim=dim)
    assert type(ours).__name__ == type(theirs).__name__ == "ParametrizedLinear"
    _load_into_torch(ours, theirs)
    _run_both(ours, theirs, (5, 3), steps=2)


@pytest.mark.parametrize("name,make,x_shape", SN_LAYERS, ids=[c[0] for c in SN_LAYERS])
def test_parametrized_spectral_norm_matches_torch_in_training_and_eval(name, make, x_shape):
    ours = P.spectral_norm(make(nn).double(), n_power_iterations=2)
    theirs = TP.spectral_norm(make(torch.nn).double(), n_power_iterations=2)
    _load_into_torch(ours, theirs)
    _run_both(ours, theirs, x_shape, steps=2)
    ours.eval()
    theirs.eval()
    _run_both(ours, theirs, x_shape)


def test_parametrized_spectral_norm_of_a_vector_normalises_it_like_torch():
    ours, theirs = nn.Linear(3, 4).double(), torch.nn.Linear(3, 4).double()
    P.spectral_norm(ours, "bias")
    TP.spectral_norm(theirs, "bias")
    _load_into_torch(ours, theirs)
    _run_both(ours, theirs, (2, 3))


@pytest.mark.parametrize("orth_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_orthogonal_matches_torch_before_and_after_the_original_moves(orth_map, shape):
    w = RNG.standard_normal(shape)
    ours, theirs = nn.Linear(shape[1], shape[0]).double(), \
        torch.nn.Linear(shape[1], shape[0]).double()
    with autograd.no_grad():
        ours.weight.copy_(autograd.tensor(w))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
    P.orthogonal(ours, orthogonal_map=orth_map)
    TP.orthogonal(theirs, orthogonal_map=orth_map)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if shape[0] == shape[1]:  # deterministic base: QR of the weight
        np.testing.assert_allclose(ours.parametrizations.weight[0].base.numpy(),
                                   _np(theirs.parametrizations.weight[0].base), rtol=1e-10,
                                   atol=1e-12)
    # move the original off -I (as an optimizer step would) in both, then compare
    delta = 0.1 * RNG.standard_normal(shape)
    with autograd.no_grad():
        ours.parametrizations.weight.original.add_(autograd.tensor(delta))
    _load_into_torch(ours, theirs)
    np.testing.assert_allclose(_np(ours.weight), _np(theirs.weight), rtol=1e-10, atol=1e-12)
    _run_both(ours, theirs, (2, shape[1]))


def test_orthogonal_default_map_and_errors_match_torch():
    o = P.orthogonal(nn.Linear(3, 3))
    assert o.parametrizations.weight[0].orthogonal_map == "matrix_exp"
    assert P.orthogonal(nn.Linear(3, 4)).parametrizations.weight[0].orthogonal_map == \
        "householder"
    for bad in (lambda m: m.Linear(3, 3), lambda m: m.Linear(3, 3)):
        with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
            TP.orthogonal(bad(torch.nn), orthogonal_map="qr")
        with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
            P.orthogonal(bad(nn), orthogonal_map="qr")
    with pytest.raises(ValueError, match="Expected a matrix"):
        TP.orthogonal(torch.nn.Linear(3, 3), "bias")
    with pytest.raises(ValueError, match="Expected a matrix"):
        P.orthogonal(nn.Linear(3, 3), "bias")


def test_a_torch_checkpoint_of_a_parametrized_model_loads_into_ours_and_back():
    def build(m, p):
        net = m.Sequential(m.Linear(3, 4), m.Tanh(), m.Linear(4, 2)).double()
        p.weight_norm(net[0])
        p.spectral_norm(net[2])
        return net
    theirs, ours = build(torch.nn, TP), build(nn, P)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in
                          theirs.state_dict().items()})
    x = RNG.standard_normal((5, 3))
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(_np(ours(autograd.tensor(x))), _np(theirs(torch.tensor(x))),
                               rtol=1e-10)
    other = build(torch.nn, TP).eval()
    other.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(_np(other(torch.tensor(x))), _np(theirs(torch.tensor(x))),
                               rtol=1e-12)


# ---------------------------------------------------------------------- parametrize itself
class _Symmetric:
    """The same parametrization for both libraries: X -> triu(X) + triu(X, 1)^T."""

    @staticmethod
    def make(base):
        class Symmetric(base.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

            def right_inverse(self, A):
                return A.triu()
        return Symmetric()


def test_register_parametrization_with_right_inverse_matches_torch():
    ours, theirs = nn.Linear(3, 3).double(), torch.nn.Linear(3, 3).double()
    _load_into_torch(ours, theirs)
    parametrize.register_parametrization(ours, "weight", _Symmetric.make(nn))
    torch.nn.utils.parametrize.register_parametrization(theirs, "weight",
                                                        _Symmetric.make(torch.nn))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(_np(ours.weight), _np(theirs.weight), rtol=1e-12)
    _run_both(ours, theirs, (2, 3))
    # assignment goes through right_inverse into the same Parameter object
    original = ours.parametrizations.weight.original
    s = RNG.standard_normal((3, 3))
    s = s + s.T
    ours.weight = autograd.tensor(s)
    theirs.weight = torch.tensor(s)
    assert ours.parametrizations.weight.original is original
    np.testing.assert_allclose(_np(ours.weight), s, rtol=1e-12)
    np.testing.assert_allclose(_np(original),
                               _np(theirs.parametrizations.weight.original), rtol=1e-12)
    assert parametrize.is_parametrized(ours) and parametrize.is_parametrized(ours, "weight")
    assert not parametrize.is_parametrized(ours, "bias")
    assert parametrize.type_before_parametrizations(ours) is nn.Linear


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_matches_torch(leave):
    ours, theirs = nn.Linear(3, 3).double(), torch.nn.Linear(3, 3).double()
    _load_into_torch(ours, theirs)
    parametrize.register_parametrization(ours, "weight", _Symmetric.make(nn))
    torch.nn.utils.parametrize.register_parametrization(theirs, "weight",
                                                        _Symmetric.make(torch.nn))
    parametrize.remove_parametrizations(ours, "weight", leave_parametrized=leave)
    torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight",
                                                       leave_parametrized=leave)
    assert type(ours) is nn.Linear and not hasattr(ours, "parametrizations")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(_np(ours.weight), _np(theirs.weight), rtol=1e-12)
    assert isinstance(ours.weight, nn.Parameter)


def test_parametrize_errors_match_torch():
    class Shrink:
        @staticmethod
        def make(base):
            class Drop(base.Module):
                def forward(self, X):
                    return X[:-1]
            return Drop()
    with pytest.raises(ValueError, match="may not change the shape"):
        torch.nn.utils.parametrize.register_parametrization(torch.nn.Linear(2, 3), "weight",
                                                            Shrink.make(torch.nn))
    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(nn.Linear(2, 3), "weight", Shrink.make(nn))
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(nn.Linear(2, 2), "weight")
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        parametrize.register_parametrization(nn.Linear(2, 2), "nope", Shrink.make(nn))
    wn = P.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="sequence of tensors"):
        parametrize.remove_parametrizations(wn, "weight", leave_parametrized=False)


def test_cached_computes_a_parametrized_tensor_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 2.0
    m = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Counting())
    calls.clear()
    with parametrize.cached():
        a, b = m.weight, m.weight
    assert a is b and len(calls) == 1
    m.weight, m.weight  # noqa: B018
    assert len(calls) == 3


def test_unparametrized_modules_keep_their_class_and_attribute_lookup():
    plain = nn.Linear(2, 2)
    P.weight_norm(nn.Linear(2, 2))
    assert type(plain) is nn.Linear and "weight" not in vars(nn.Linear)
