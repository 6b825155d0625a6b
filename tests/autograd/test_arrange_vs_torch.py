"""Diagonals, arrangements (cross, kron, block_diag, meshgrid, rot90, diff, stacking) and the
counting utilities against PyTorch on the same inputs (skipped without torch)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from torch_compare import compare  # noqa: E402

RNG = np.random.default_rng(1)


def _r(*shape):
    return RNG.standard_normal(shape)


# ---------------------------------------------------------------------- diagonals
@pytest.mark.parametrize("offset", [-2, 0, 1, 5])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (-1, 0), (2, 1)])
def test_diagonal_matches_torch(offset, dims):
    compare(torch, lambda x: autograd.diagonal(x, offset, *dims),
            lambda x: torch.diagonal(x, offset, *dims), _r(3, 4, 2))


@pytest.mark.parametrize("offset", [-1, 0, 2])
@pytest.mark.parametrize("dims", [(-2, -1), (0, 2), (-1, 0)])
def test_diag_embed_matches_torch(offset, dims):
    compare(torch, lambda x: autograd.diag_embed(x, offset, *dims),
            lambda x: torch.diag_embed(x, offset, *dims), _r(2, 3))


@pytest.mark.parametrize("shape", [(3,), (3, 4), (4, 2), (0,)])
@pytest.mark.parametrize("k", [-1, 0, 2])
def test_diag_builds_or_reads_a_diagonal_like_torch(shape, k):
    compare(torch, lambda x: x.diag(k), lambda x: x.diag(k), _r(*shape))


def test_trace_matches_torch_and_sums_integers_to_int64():
    compare(torch, autograd.trace, torch.trace, _r(3, 4))
    compare(torch, autograd.trace, torch.trace, np.arange(6).reshape(2, 3))


@pytest.mark.parametrize("shape,wrap", [((3, 3), False), ((7, 3), True), ((7, 3), False),
                                        ((2, 5), True), ((3, 3, 3), False)])
def test_fill_diagonal_writes_in_place_like_torch(shape, wrap):
    compare(torch, lambda x: (x * 1.0).fill_diagonal_(-2.0, wrap),
            lambda x: (x * 1.0).fill_diagonal_(-2.0, wrap), _r(*shape))


@pytest.mark.parametrize("name", ["tril_", "triu_"])
def test_tril_and_triu_in_place_keep_the_triangle_and_its_gradient(name):
    compare(torch, lambda x: getattr(x * 1.0, name)(1), lambda x: getattr(x * 1.0, name)(1),
            _r(2, 3, 4))


@pytest.mark.parametrize("bad", [
    lambda m: m.diag(m.zeros(2, 2, 2)), lambda m: m.trace(m.zeros(2, 2, 2)),
    lambda m: m.zeros(2, 3, 2).fill_diagonal_(1.0), lambda m: m.diagonal(m.zeros(2, 2), 0, 1, 1),
])
def test_diagonal_functions_reject_bad_shapes_like_torch(bad):
    with pytest.raises(RuntimeError):
        bad(torch)
    with pytest.raises(RuntimeError):
        bad(autograd)


# ---------------------------------------------------------------------- products
@pytest.mark.parametrize("shapes,dim", [(((4, 3), (4, 3)), 1), (((3, 2), (3, 1)), 0),
                                        (((2, 3, 3), (1, 1, 3)), -1)])
def test_cross_matches_linalg_cross(shapes, dim):
    compare(torch, lambda a, b: autograd.linalg.cross(a, b, dim=dim),
            lambda a, b: torch.linalg.cross(a, b, dim=dim), *[_r(*s) for s in shapes])
    compare(torch, lambda a, b: autograd.cross(a, b, dim),
            lambda a, b: torch.cross(a, b, dim), *[_r(*s) for s in shapes])


def test_cross_without_dim_uses_the_first_dim_of_size_3_with_a_warning_like_torch():
    a, b = _r(3, 3, 2), _r(3, 3, 2)
    with pytest.warns(UserWarning, match="deprecated"):
        out = autograd.cross(autograd.tensor(a), autograd.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)


def test_cross_rejects_a_dim_not_of_size_3_or_unequal_ranks_like_torch():
    with pytest.raises(RuntimeError):
        torch.linalg.cross(torch.zeros(3, 2), torch.zeros(3, 2))
    with pytest.raises(RuntimeError, match="must have length 3"):
        autograd.linalg.cross(autograd.zeros(3, 2), autograd.zeros(3, 2))
    with pytest.raises(RuntimeError):
        torch.linalg.cross(torch.zeros(2, 3), torch.zeros(3))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        autograd.linalg.cross(autograd.zeros(2, 3), autograd.zeros(3))


@pytest.mark.parametrize("shapes", [((2, 3), (4, 5)), ((3,), (2, 2)), ((2, 1, 2), (3,)),
                                    ((), (2,))])
def test_kron_matches_torch(shapes):
    compare(torch, autograd.kron, torch.kron, *[_r(*s) for s in shapes])


def test_block_diag_matches_torch_with_scalars_vectors_and_matrices():
    compare(torch, autograd.block_diag, torch.block_diag, _r(2, 3), _r(), _r(4), _r(1, 2))
    compare(torch, autograd.block_diag, torch.block_diag, _r(2, 0), _r(0, 2), _r(2, 2))


# ---------------------------------------------------------------------- grids
@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_matches_torch(indexing):
    compare(torch, lambda *xs: autograd.meshgrid(*xs, indexing=indexing),
            lambda *xs: torch.meshgrid(*xs, indexing=indexing), _r(3), _r(2), _r(4))
    compare(torch, lambda *xs: autograd.meshgrid(*xs, indexing=indexing),
            lambda *xs: torch.meshgrid(*xs, indexing=indexing), _r(3), _r(2))


def test_cartesian_prod_matches_torch():
    compare(torch, autograd.cartesian_prod, torch.cartesian_prod, _r(3), _r(2), _r(2))
    compare(torch, autograd.cartesian_prod, torch.cartesian_prod, _r(3))


# ---------------------------------------------------------------------- rotations and steps
@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 3, 6])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (2, 0)])
def test_rot90_matches_torch(k, dims):
    compare(torch, lambda x: autograd.rot90(x, k, dims), lambda x: torch.rot90(x, k, dims),
            _r(2, 3, 4))


@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("dim", [0, -1])
def test_diff_matches_torch_with_prepend_and_append(n, dim):
    x = _r(4, 3)
    pre = _r(1, 3) if dim == 0 else _r(4, 2)
    app = _r(2, 3) if dim == 0 else _r(4, 1)
    compare(torch, lambda x: autograd.diff(x, n, dim), lambda x: torch.diff(x, n, dim), x)
    compare(torch, lambda x, p, a: autograd.diff(x, n, dim, p, a),
            lambda x, p, a: torch.diff(x, n, dim, p, a), x, pre, app)


def test_diff_of_bools_is_xor_like_torch():
    compare(torch, autograd.diff, torch.diff, np.array([True, False, False, True]))


def test_dstack_and_column_stack_match_torch():
    compare(torch, lambda *xs: autograd.dstack(xs), lambda *xs: torch.dstack(xs),
            _r(3), _r(3), _r(1, 3, 2))
    compare(torch, lambda *xs: autograd.dstack(xs), lambda *xs: torch.dstack(xs),
            _r(2, 3), _r(2, 3, 2))
    compare(torch, lambda *xs: autograd.column_stack(xs), lambda *xs: torch.column_stack(xs),
            _r(3), _r(3, 2), _r(3, 1))


# ---------------------------------------------------------------------- counting (no gradient)
@pytest.mark.parametrize("kw", [{}, {"return_inverse": True}, {"return_counts": True},
                                {"return_inverse": True, "return_counts": True, "dim": 0},
                                {"return_inverse": True, "dim": 1}])
def test_unique_matches_torch(kw):
    x = np.array([[2, 1, 2], [2, 1, 2], [0, 5, 1]])
    compare(torch, lambda x: autograd.unique(x, **kw), lambda x: torch.unique(x, **kw), x)
    compare(torch, lambda x: x.unique(**kw), lambda x: x.unique(**kw), x.astype(float),
            grad=False)


@pytest.mark.parametrize("kw", [{}, {"return_inverse": True, "return_counts": True},
                                {"return_counts": True, "dim": 0}])
def test_unique_consecutive_matches_torch(kw):
    x = np.array([[1, 1, 2], [1, 1, 2], [3, 1, 1], [3, 1, 1]])
    compare(torch, lambda x: autograd.unique_consecutive(x, **kw),
            lambda x: torch.unique_consecutive(x, **kw), x)


def test_bincount_matches_torch_with_weights_and_minlength():
    x = np.array([1, 3, 3, 0, 7])
    compare(torch, autograd.bincount, torch.bincount, x)
    compare(torch, lambda x: x.bincount(minlength=10), lambda x: x.bincount(minlength=10), x)
    w = _r(5)
    compare(torch, autograd.bincount, torch.bincount, x, w, grad=False)
    compare(torch, autograd.bincount, torch.bincount, np.zeros(0, np.int64))


@pytest.mark.parametrize("bad", [lambda m: m.bincount(m.tensor([1.0, 2.0])),
                                 lambda m: m.bincount(m.tensor([-1, 2]))])
def test_bincount_rejects_floats_and_negatives_like_torch(bad):
    with pytest.raises(RuntimeError):
        bad(torch)
    with pytest.raises(RuntimeError, match="bincount"):
        bad(autograd)


@pytest.mark.parametrize("kw", [{}, {"bins": 4}, {"bins": 5, "min": -1, "max": 1},
                                {"bins": 3, "min": 2, "max": 2}])
def test_histc_matches_torch(kw):
    x = np.array([-2.0, -1.0, 0.0, 0.25, 1.0, 1.0, 3.0])
    compare(torch, lambda x: autograd.histc(x, **kw), lambda x: torch.histc(x, **kw), x,
            grad=False)
    compare(torch, lambda x: autograd.histc(x, bins=4), lambda x: torch.histc(x, bins=4),
            np.array([2.0, 2.0]), grad=False)


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_and_searchsorted_match_torch(right):
    bounds = np.array([1.0, 3.0, 5.0, 7.0])
    x = np.array([[0.0, 1.0, 3.0], [6.0, 7.0, 9.0]])
    compare(torch, lambda x, b: autograd.bucketize(x, b, right=right),
            lambda x, b: torch.bucketize(x, b, right=right), x, bounds, grad=False)
    seq = np.array([[1.0, 3.0, 5.0], [2.0, 2.0, 8.0]])
    compare(torch, lambda s, v: autograd.searchsorted(s, v, right=right),
            lambda s, v: torch.searchsorted(s, v, right=right), seq, x, grad=False)
    compare(torch, lambda s, v: autograd.searchsorted(s, v, side="right" if right else "left",
                                                      out_int32=True),
            lambda s, v: torch.searchsorted(s, v, side="right" if right else "left",
                                            out_int32=True), bounds, x, grad=False)


@pytest.mark.parametrize("invert", [False, True])
def test_isin_matches_torch(invert):
    compare(torch, lambda a, b: autograd.isin(a, b, invert=invert),
            lambda a, b: torch.isin(a, b, invert=invert), np.array([[1, 2], [3, 4]]),
            np.array([2, 4, 9]))
