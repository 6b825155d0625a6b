"""Smaller top-level functions PyTorch scripts call: at-least-n-d views, combinations,
Vandermonde matrices, triangle indices, the trapezoidal rule, dtype queries, `special`,
`jit`/`compiler`/`version`, and nn.functional names reached as `torch.<name>`. Hand-computed
values here; the same calls against PyTorch at the end (skipped without it)."""
import itertools
import math

import numpy as np
import pytest

import autograd as torch
import nn


def test_atleast_nd_and_row_stack():
    s, v, m = torch.tensor(1.0), torch.arange(3.0), torch.ones(2, 3)
    assert torch.atleast_1d(s).shape == (1,) and torch.atleast_1d(v) is v
    assert [t.shape for t in torch.atleast_2d(s, v, m)] == [(1, 1), (1, 3), (2, 3)]
    assert [t.shape for t in torch.atleast_3d([s, v, m])] == [(1, 1, 1), (1, 3, 1), (2, 3, 1)]
    assert torch.row_stack([v, m]).tolist() == [[0, 1, 2], [1, 1, 1], [1, 1, 1]]


def test_combinations_lists_index_tuples_in_order():
    x = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
    pairs = torch.combinations(x)
    assert pairs.tolist() == [[10, 20], [10, 30], [20, 30]]
    pairs.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]  # each element is in two pairs
    assert torch.combinations(x, 2, with_replacement=True).shape == (6, 2)
    assert torch.combinations(x, 4).shape == (0, 4)
    with pytest.raises(RuntimeError, match="1D vector"):
        torch.combinations(torch.ones(2, 2))


def test_vander_columns_are_decreasing_powers():
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    v = torch.vander(x, 3)
    assert v.tolist() == [[4, 2, 1], [9, 3, 1]]
    v.sum().backward()
    assert x.grad.tolist() == [2 * 2 + 1, 2 * 3 + 1]
    assert torch.vander(x, increasing=True).tolist() == [[1, 2], [1, 3]]
    assert not torch.vander(x, 1).requires_grad  # a constant column, as in PyTorch


def test_triangle_indices():
    assert torch.tril_indices(3, 3).tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert torch.triu_indices(2, 3, 1).tolist() == [[0, 0, 1], [1, 2, 2]]
    assert torch.tril_indices(2, 2, dtype=torch.int32).dtype == torch.int32
    with pytest.raises(RuntimeError, match="non-negative"):
        torch.tril_indices(-1, 2)


def test_trapezoid_integrates_polynomials_of_degree_one_exactly():
    x = torch.linspace(0.0, 2.0, 5, dtype=torch.float64)
    y = (3 * x + 1).detach().requires_grad_(True)
    assert torch.trapezoid(y, x).item() == pytest.approx(8.0)  # integral of 3x+1 over [0,2]
    assert torch.trapz(y, dx=0.5).item() == pytest.approx(8.0)
    assert torch.cumulative_trapezoid(y, x).tolist() == pytest.approx([0.875, 2.5, 4.875, 8.0])
    torch.trapezoid(y, x).backward()
    assert y.grad.tolist() == pytest.approx([0.25, 0.5, 0.5, 0.5, 0.25])
    with pytest.raises(RuntimeError, match="one x value per y value"):
        torch.trapezoid(y, torch.ones(3))


def test_dtype_queries_follow_pytorch_promotion():
    assert torch.promote_types(torch.int32, torch.float32) == torch.float32
    assert torch.promote_types(torch.uint8, torch.int8) == torch.int16
    assert torch.result_type(torch.ones(2, dtype=torch.int64), 2.5) == torch.float32
    assert torch.result_type(torch.ones(2), torch.ones((), dtype=torch.float64)) == torch.float32
    assert torch.can_cast(torch.int32, torch.float16) and not torch.can_cast(torch.float32,
                                                                            torch.int64)
    assert torch.typename(torch.ones(1)) == "autograd.FloatTensor"
    assert torch.typename(3) == "int"


def test_scalar_tensor_and_rsub():
    assert torch.scalar_tensor(3).dtype == torch.float32 and torch.scalar_tensor(3).shape == ()
    assert torch.scalar_tensor(True, dtype=torch.bool).item() is True
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.rsub(x, 5.0, alpha=2)
    assert y.tolist() == [3.0, 1.0]
    y.sum().backward()
    assert x.grad.tolist() == [-2.0, -2.0]


def test_special_functions():
    sp = torch.special
    assert sp.expit(torch.tensor(0.0)).item() == 0.5
    assert sp.ndtr(torch.tensor([0.0, 1.0], dtype=torch.float64)).tolist() == pytest.approx(
        [0.5, 0.5 * (1 + math.erf(1 / math.sqrt(2)))])
    p = torch.tensor([0.1, 0.5, 0.975], dtype=torch.float64)
    assert sp.ndtr(sp.ndtri(p)).tolist() == pytest.approx(p.tolist())
    assert sp.log_ndtr(torch.tensor(-30.0, dtype=torch.float64)).item() == pytest.approx(
        -454.32124, rel=1e-6)  # log(erfc(30 / sqrt 2) / 2), finite where ndtr underflows log
    assert sp.entr(torch.tensor([-1.0, 0.0, 0.5])).tolist() == [-math.inf, 0.0,
                                                               pytest.approx(0.5 * math.log(2))]


def test_jit_compiler_and_version_namespaces():
    model = nn.Linear(2, 2)
    assert torch.jit.script(model) is model and torch.jit.trace(model, torch.ones(1, 2)) is model

    @torch.jit.ignore
    def helper():
        return 1
    assert helper() == 1 and not torch.jit.is_scripting()
    assert not torch.compiler.is_compiling()
    assert torch.version.cuda is None and torch.version.__version__ == torch.__version__


def test_functional_names_at_the_top_level():
    x = torch.randn(2, 3, 8)
    w = torch.randn(4, 3, 3)
    np.testing.assert_allclose(torch.conv1d(x, w).numpy(), nn.functional.conv1d(x, w).numpy())
    assert torch.layer_norm(torch.ones(2, 3), (3,)).tolist() == [[0.0] * 3] * 2
    assert torch.dropout(torch.ones(3), 0.5, False).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(AttributeError):
        torch.not_a_functional_name


# ---------------------------------------------------------------------- against PyTorch
CASES = {
    "combinations": lambda t, x: t.combinations(x, 2),
    "combinations_repl": lambda t, x: t.combinations(x, 3, with_replacement=True),
    "trapezoid": lambda t, x: t.trapezoid(t.stack([x, x * x]), x),
    "trapz_dx": lambda t, x: t.trapz(t.stack([x, x * x]), dx=0.3, dim=0),
    "cumulative_trapezoid": lambda t, x: t.cumulative_trapezoid(x * x, x),
    "atleast_3d": lambda t, x: t.atleast_3d(x),
    "rsub": lambda t, x: t.rsub(x, 2.0, alpha=3),
    "ndtr": lambda t, x: t.special.ndtr(x),
    "log_ndtr": lambda t, x: t.special.log_ndtr(x),
    "ndtri": lambda t, x: t.special.ndtri(t.sigmoid(x)),
    "entr": lambda t, x: t.special.entr(t.abs(x)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch(name):
    ref = pytest.importorskip("torch")
    data = np.array([0.3, -1.2, 2.5, 0.7])
    ours = torch.tensor(data, requires_grad=True)
    theirs = ref.tensor(data, requires_grad=True)
    a, b = CASES[name](torch, ours), CASES[name](ref, theirs)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_vander_values_match_pytorch():
    ref = pytest.importorskip("torch")  # (its vander cannot be differentiated in 2.13)
    data = np.array([0.3, -1.2, 2.5, 0.7])
    for kw in ({}, {"N": 2}, {"N": 5, "increasing": True}):
        np.testing.assert_allclose(torch.vander(torch.tensor(data), **kw).numpy(),
                                   ref.vander(ref.tensor(data), **kw).numpy(), rtol=1e-14)


def test_indices_and_dtype_queries_match_pytorch():
    ref = pytest.importorskip("torch")
    for r, c, k in itertools.product(range(4), range(4), range(-2, 3)):
        assert torch.tril_indices(r, c, k).tolist() == ref.tril_indices(r, c, k).tolist()
        assert torch.triu_indices(r, c, k).tolist() == ref.triu_indices(r, c, k).tolist()
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
    for a, b in itertools.product(names, names):
        ours = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert str(ours) == str(ref.promote_types(getattr(ref, a), getattr(ref, b)))[6:]
        assert torch.can_cast(getattr(torch, a), getattr(torch, b)) == \
            ref.can_cast(getattr(ref, a), getattr(ref, b))
