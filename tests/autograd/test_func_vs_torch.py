"""autograd.func against torch.func on the same float64 inputs (skipped without torch)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd import func  # noqa: E402

RNG = np.random.default_rng(1)


def _pair(shape):
    a = RNG.standard_normal(shape)
    return autograd.tensor(a, dtype=autograd.float64), torch.tensor(a, dtype=torch.float64)


def _close(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t)
    elif isinstance(theirs, dict):
        assert set(ours) == set(theirs)
        for k in theirs:
            _close(ours[k], theirs[k])
    else:
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                   rtol=1e-12, atol=1e-12)


def _f(lib):
    return lambda x, y: (lib.tanh(x @ y) * x.sum()).sum()


def _vec_f(lib):
    return lambda x, y: lib.sin(x) * lib.exp(y[:3]) + x ** 2


def test_grad_and_second_derivatives():
    (x, tx), (y, ty) = _pair((2, 3)), _pair((3, 4))
    _close(func.grad(_f(autograd), argnums=(0, 1))(x, y),
           torch.func.grad(_f(torch), argnums=(0, 1))(tx, ty))
    g = lambda lib: lambda s: lib.sin(s) * lib.exp(s)
    (s, ts), = [_pair(())]
    _close(func.grad(func.grad(g(autograd)))(s), torch.func.grad(torch.func.grad(g(torch)))(ts))


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobians(name):
    (x, tx), (y, ty) = _pair((3,)), _pair((5,))
    ours, theirs = getattr(func, name), getattr(torch.func, name)
    _close(ours(_vec_f(autograd), argnums=(0, 1))(x, y),
           theirs(_vec_f(torch), argnums=(0, 1))(tx, ty))
    (m, tm), = [_pair((2, 3))]
    _close(ours(lambda m: autograd.tanh(m) @ m.T)(m), theirs(lambda m: torch.tanh(m) @ m.T)(tm))


def test_hessian():
    (x, tx), (y, ty) = _pair((2, 3)), _pair((3, 4))
    _close(func.hessian(_f(autograd), argnums=1)(x, y),
           torch.func.hessian(_f(torch), argnums=1)(tx, ty))


def test_vjp_and_jvp():
    (x, tx), (y, ty), (v, tv) = _pair((3,)), _pair((5,)), _pair((3,))
    out, fn = func.vjp(_vec_f(autograd), x, y)
    tout, tfn = torch.func.vjp(_vec_f(torch), tx, ty)
    _close(out, tout)
    _close(fn(v), tfn(tv))
    (u, tu), (w, tw) = _pair((3,)), _pair((5,))
    _close(func.jvp(_vec_f(autograd), (x, y), (u, w)),
           torch.func.jvp(_vec_f(torch), (tx, ty), (tu, tw)))


def test_vmap_in_out_dims_nested_and_per_sample_grad():
    (a, ta), (b, tb) = _pair((4, 2, 3)), _pair((3, 4, 5))
    _close(func.vmap(autograd.matmul, in_dims=(0, 1), out_dims=2)(a, b),
           torch.func.vmap(torch.matmul, in_dims=(0, 1), out_dims=2)(ta, tb))
    (x, tx), (y, ty) = _pair((4,)), _pair((6,))
    _close(func.vmap(func.vmap(autograd.mul, (None, 0)), (0, None))(x, y),
           torch.func.vmap(torch.func.vmap(torch.mul, (None, 0)), (0, None))(tx, ty))
    (w, tw) = _pair((3,))
    loss = lambda lib: lambda w, x: lib.tanh((w * x).sum()) ** 2
    (xs, txs), = [_pair((5, 3))]
    _close(func.vmap(func.grad(loss(autograd)), in_dims=(None, 0))(w, xs),
           torch.func.vmap(torch.func.grad(loss(torch)), in_dims=(None, 0))(tw, txs))


def test_functional_call_and_its_gradient():
    ours, theirs = nn.Linear(3, 2).double(), torch.nn.Linear(3, 2).double()
    params = {n: _pair(tuple(p.shape)) for n, p in theirs.named_parameters()}
    (x, tx), = [_pair((4, 3))]
    mine = {n: p[0] for n, p in params.items()}
    ref = {n: p[1] for n, p in params.items()}
    _close(func.functional_call(ours, mine, (x,)), torch.func.functional_call(theirs, ref, (tx,)))
    loss = lambda mod, call: lambda p, x: (call(mod, p, (x,)) ** 2).sum()
    _close(func.grad(loss(ours, func.functional_call))(mine, x),
           torch.func.grad(loss(theirs, torch.func.functional_call))(ref, tx))
