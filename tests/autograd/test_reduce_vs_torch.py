"""Reductions, order statistics, running reductions and distances against PyTorch on the same
inputs: values, indices (ties and nan included) and gradients (skipped without torch)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import autograd  # noqa: E402
from torch_compare import compare  # noqa: E402

RNG = np.random.default_rng(0)
NAN = float("nan")
TIES = np.array([[3.0, 1.0, 3.0, 1.0, 2.0], [5.0, 5.0, 1.0, 1.0, 0.0], [2.0, 2.0, 2.0, 7.0, 7.0]])
WITH_NAN = np.array([[1.0, NAN, 3.0, NAN], [4.0, 2.0, 2.0, 0.5], [NAN, NAN, NAN, NAN]])


# ---------------------------------------------------------------------- nan-aware sums
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_nansum_skips_nan_and_gives_nan_entries_zero_gradient(dim, keepdim):
    compare(torch, lambda x: autograd.nansum(x, dim, keepdim),
            lambda x: torch.nansum(x, dim, keepdim), WITH_NAN)


@pytest.mark.parametrize("dim", [None, 1])
def test_nanmean_averages_the_non_nan_entries(dim):
    x = WITH_NAN[:2]
    compare(torch, lambda x: autograd.nanmean(x, dim), lambda x: torch.nanmean(x, dim), x)


def test_nanmean_of_an_all_nan_row_is_nan():
    compare(torch, lambda x: autograd.nanmean(x, 1), lambda x: torch.nanmean(x, 1), WITH_NAN,
            grad=False)


# ---------------------------------------------------------------------- median and friends
def test_global_median_shares_its_gradient_among_tied_entries():
    compare(torch, autograd.median, torch.median, TIES)
    compare(torch, autograd.median, torch.median, np.array([1.0, 2.0, 2.0, 3.0]))


def test_global_median_with_nan_is_nan_and_nanmedian_skips_nan():
    compare(torch, autograd.median, torch.median, WITH_NAN)
    compare(torch, autograd.nanmedian, torch.nanmedian, WITH_NAN)


def test_global_median_of_an_empty_tensor_is_nan():
    compare(torch, autograd.median, torch.median, np.zeros(0), grad=False)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_along_a_dim_picks_the_lower_median_like_torch_with_ties(dim, keepdim):
    compare(torch, lambda x: autograd.median(x, dim, keepdim),
            lambda x: torch.median(x, dim, keepdim), TIES)


def test_median_along_a_dim_returns_the_first_nan_and_nanmedian_skips_them():
    compare(torch, lambda x: autograd.median(x, 1), lambda x: torch.median(x, 1), WITH_NAN)
    compare(torch, lambda x: autograd.nanmedian(x, 1), lambda x: torch.nanmedian(x, 1),
            WITH_NAN[:2])
    # an all-nan row: nan; PyTorch's index there depends on its selection algorithm
    compare(torch, lambda x: autograd.nanmedian(x, 1), lambda x: torch.nanmedian(x, 1),
            WITH_NAN, indices=False, grad=False)


def test_median_indices_match_torch_on_random_ties():
    for seed in range(20):
        x = np.random.default_rng(seed).integers(0, 4, (3, 7)).astype(float)
        compare(torch, lambda x: autograd.median(x, 1), lambda x: torch.median(x, 1), x)


def test_kthvalue_matches_torch_values_and_points_at_an_equal_entry():
    for k in range(1, 6):
        # (which of the tied entries PyTorch picks is unspecified: values only)
        out = compare(torch, lambda x: autograd.kthvalue(x, k, 1),
                      lambda x: torch.kthvalue(x, k, 1), TIES, indices=False, grad=False)
        picked = np.take_along_axis(TIES, out.indices.numpy()[:, None], 1)[:, 0]
        np.testing.assert_array_equal(picked, out.values.detach().numpy())
    x = RNG.standard_normal((3, 4, 5))
    compare(torch, lambda x: autograd.kthvalue(x, 2, 0, True),
            lambda x: torch.kthvalue(x, 2, 0, True), x)


def test_mode_picks_the_smallest_most_frequent_value_and_its_last_index():
    compare(torch, lambda x: autograd.mode(x, 1), lambda x: torch.mode(x, 1), TIES)
    compare(torch, lambda x: autograd.mode(x, 0, True), lambda x: torch.mode(x, 0, True), TIES)
    for seed in range(10):
        x = np.random.default_rng(seed).integers(0, 3, (4, 6)).astype(float)
        compare(torch, lambda x: autograd.mode(x), lambda x: torch.mode(x), x)


def test_selections_of_a_0d_tensor_return_it_with_index_0():
    x = np.array(1.5)
    for ours, theirs in ((autograd.median, torch.median), (autograd.mode, torch.mode)):
        compare(torch, lambda x: ours(x, 0), lambda x: theirs(x, 0), x)
    compare(torch, lambda x: autograd.kthvalue(x, 1, 0), lambda x: torch.kthvalue(x, 1, 0), x)


@pytest.mark.parametrize("call", [
    lambda m, x: m.median(x, 1), lambda m, x: m.nanmedian(x, 1), lambda m, x: m.mode(x, 1),
    lambda m, x: m.kthvalue(x, 1, 1)])
def test_selections_over_an_empty_dim_raise_like_torch(call):
    with pytest.raises(IndexError):
        call(torch, torch.zeros(2, 0))
    with pytest.raises(IndexError, match="non-zero size"):
        call(autograd, autograd.zeros(2, 0))


def test_kthvalue_rejects_k_out_of_range_like_torch():
    with pytest.raises(RuntimeError):
        torch.kthvalue(torch.zeros(3), 4)
    with pytest.raises(RuntimeError, match="k out of range"):
        autograd.kthvalue(autograd.zeros(3), 4)


# ---------------------------------------------------------------------- quantiles
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), (0, True)])
def test_quantile_matches_torch_for_every_interpolation(interpolation, dim, keepdim):
    x = RNG.standard_normal((3, 6))
    for q in (0.3, [0.0, 0.25, 0.5, 0.9, 1.0]):
        compare(torch, lambda x: autograd.quantile(x, q if isinstance(q, float) else
                                                   autograd.tensor(q, dtype=autograd.float64), dim, keepdim,
                                                   interpolation=interpolation),
                lambda x: torch.quantile(x, q if isinstance(q, float) else torch.tensor(q, dtype=torch.float64),
                                         dim, keepdim, interpolation=interpolation), x)


def test_quantile_with_ties_shares_the_gradient_like_torch():
    compare(torch, lambda x: autograd.quantile(x, 0.5), lambda x: torch.quantile(x, 0.5),
            np.array([1.0, 2.0, 2.0, 3.0]))
    compare(torch, lambda x: autograd.quantile(x, autograd.tensor([0.25, 0.4], dtype=autograd.float64),
                                               interpolation="nearest"),
            lambda x: torch.quantile(x, torch.tensor([0.25, 0.4], dtype=torch.float64),
                                     interpolation="nearest"),
            np.array([1.0, 2.0, 2.0, 3.0]))


@pytest.mark.parametrize("interpolation", ["linear", "lower", "nearest"])
def test_quantile_is_nan_on_rows_with_nan_and_nanquantile_skips_them(interpolation):
    compare(torch, lambda x: autograd.quantile(x, 0.4, 1, interpolation=interpolation),
            lambda x: torch.quantile(x, 0.4, 1, interpolation=interpolation), WITH_NAN,
            grad=False)
    compare(torch, lambda x: autograd.nanquantile(x, autograd.tensor([0.2, 0.7], dtype=autograd.float64), 1,
                                                  interpolation=interpolation),
            lambda x: torch.nanquantile(x, torch.tensor([0.2, 0.7], dtype=torch.float64), 1,
                                        interpolation=interpolation), WITH_NAN[:2])
    compare(torch, lambda x: autograd.nanquantile(x, 0.5, 1), lambda x: torch.nanquantile(
        x, 0.5, 1), WITH_NAN, grad=False)


@pytest.mark.parametrize("bad", [
    lambda m: m.quantile(m.zeros(3), 1.5),
    lambda m: m.quantile(m.tensor([1, 2]), 0.5),
    lambda m: m.quantile(m.zeros(0), 0.5),
    lambda m: m.quantile(m.zeros(3), m.tensor([0.5], dtype=m.float32).double()),
])
def test_quantile_rejects_bad_input_like_torch(bad):
    with pytest.raises(RuntimeError):
        bad(torch)
    with pytest.raises(RuntimeError, match="quantile"):
        bad(autograd)


# ---------------------------------------------------------------------- aminmax
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"keepdim": True}])
def test_aminmax_matches_torch_without_ties(kw):
    compare(torch, lambda x: autograd.aminmax(x, **kw), lambda x: torch.aminmax(x, **kw),
            RNG.standard_normal((3, 4)))


def test_aminmax_shares_each_gradient_among_ties_like_torch():
    x = np.array([[1.0, 3.0, 3.0, 1.0], [2.0, 2.0, 2.0, 2.0]])
    compare(torch, autograd.aminmax, torch.aminmax, x)
    compare(torch, lambda x: autograd.aminmax(x, dim=1), lambda x: torch.aminmax(x, dim=1), x)


def test_aminmax_of_an_empty_tensor_raises():
    with pytest.raises(RuntimeError):
        torch.aminmax(torch.zeros(0))
    with pytest.raises(RuntimeError, match="empty"):
        autograd.aminmax(autograd.zeros(0))


# ---------------------------------------------------------------------- running reductions
@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_and_cummin_take_the_later_of_equal_values_and_of_nans(name):
    x = np.array([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [3.0, 1.0, 1.0, 2.0, 0.0, 0.0],
                  [1.0, NAN, 3.0, NAN, -1.0, 9.0]])
    for dim in (0, 1, -1):
        compare(torch, lambda x: getattr(autograd, name)(x, dim),
                lambda x: getattr(torch, name)(x, dim), x)


def test_logcumsumexp_is_stable_at_extreme_values_and_its_gradient_matches():
    x = np.array([[-1000.0, 0.0, 1000.0, 999.0], [-5.0, -5.0, 2.0, -np.inf]])
    compare(torch, lambda x: autograd.logcumsumexp(x, 1), lambda x: torch.logcumsumexp(x, 1), x)
    compare(torch, lambda x: autograd.logcumsumexp(x, 0),
            lambda x: torch.logcumsumexp(x, 0), RNG.standard_normal((4, 3)))


def test_logcumsumexp_second_derivative_matches_torch():
    x = RNG.standard_normal((2, 4))
    w = RNG.standard_normal((2, 4))
    a = autograd.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ga, = autograd.grad((autograd.logcumsumexp(a, 1) * autograd.tensor(w)).sum(), a,
                        create_graph=True)
    gt, = torch.autograd.grad((torch.logcumsumexp(t, 1) * torch.tensor(w)).sum(), t,
                              create_graph=True)
    np.testing.assert_allclose(ga.detach().numpy(), gt.detach().numpy(), rtol=1e-10)
    (ga ** 2).sum().backward()
    (gt ** 2).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------------- distances
@pytest.mark.parametrize("p", [2, 1, 3, 0, math.inf, 0.5])
def test_dist_matches_torch(p):
    # (PyTorch's backward of dist with p = 0 fails; ours gives zeros)
    compare(torch, lambda a, b: autograd.dist(a, b, p), lambda a, b: torch.dist(a, b, p),
            RNG.standard_normal((3, 4)), RNG.standard_normal((4,)), grad=p != 0)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.0, math.inf])
@pytest.mark.parametrize("shapes", [((4, 3), (5, 3)), ((2, 4, 3), (2, 5, 3)),
                                    ((2, 1, 4, 3), (3, 5, 3))])
def test_cdist_matches_torch_with_batches(p, shapes):
    compare(torch, lambda a, b: autograd.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
            *[RNG.standard_normal(s) for s in shapes], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("p", [2.0, 1.0])
def test_cdist_gradient_is_zero_at_zero_distance_like_torch(p):
    x = RNG.standard_normal((3, 2))
    compare(torch, lambda a, b: autograd.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
            x, x[:2].copy())


@pytest.mark.parametrize("bad", [
    lambda m: m.cdist(m.zeros(3), m.zeros(3)),
    lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 4)),
    lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 3), -1.0),
])
def test_cdist_rejects_bad_shapes_and_p_like_torch(bad):
    with pytest.raises(RuntimeError):
        bad(torch)
    with pytest.raises(RuntimeError, match="X1|p values"):
        bad(autograd)
