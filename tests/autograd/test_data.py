"""Datasets, samplers, collate and DataLoader (autograd/data.py) against NumPy references."""
import collections

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,
                           RandomSampler, SequentialSampler, Subset, SubsetRandomSampler,
                           TensorDataset, WeightedRandomSampler, default_collate,
                           default_convert, get_worker_info, random_split)
from autograd.tensor import Tensor
from mt_reference import MT19937


def _t(a):
    return autograd.tensor(np.asarray(a))


def _perm(seed, n):
    """The permutation a Generator seeded with `seed` draws first (PyTorch's randperm on a
    plain-Python Mersenne Twister)."""
    return np.array(MT19937(seed).randperm(n))


def _dataset(n=10, d=3):
    x = np.arange(n * d, dtype=np.float32).reshape(n, d)
    y = np.arange(n, dtype=np.int64) * 10
    return TensorDataset(_t(x), _t(y)), x, y


def _slow(batch):
    return default_collate(batch)


def _epoch(loader):
    return [[t._data.copy() for t in b] for b in loader]


# ---------------------------------------------------------------------------------- datasets
def test_tensor_dataset_items_are_rows_of_each_tensor():
    ds, x, y = _dataset()
    assert len(ds) == 10
    xi, yi = ds[3]
    np.testing.assert_array_equal(xi._data, x[3])
    assert yi.shape == () and yi._data.item() == 30 and yi.dtype == np.int64
    xi, yi = ds[-1]
    np.testing.assert_array_equal(xi._data, x[9])


def test_tensor_dataset_length_mismatch_names_the_sizes():
    with pytest.raises(ValueError, match=r"\[4, 5\]"):
        TensorDataset(autograd.zeros(4, 2), autograd.zeros(5))


def test_tensor_dataset_rejects_no_tensors_arrays_and_scalars():
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 is a ndarray"):
        TensorDataset(autograd.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="argument 0 is a 0-d"):
        TensorDataset(autograd.tensor(1.0))


def test_subset_and_concat_index_like_lists():
    ds, x, _ = _dataset(6)
    sub = Subset(ds, [4, 0, 2])
    assert len(sub) == 3
    np.testing.assert_array_equal(sub[0][0]._data, x[4])
    np.testing.assert_array_equal(sub[-1][0]._data, x[2])
    assert [s[1]._data.item() for s in sub[[1, 2]]] == [0, 20]

    cat = ConcatDataset([Subset(ds, [5]), ds])
    assert len(cat) == 7 and cat.cumulative_sizes == [1, 7]
    np.testing.assert_array_equal(cat[0][0]._data, x[5])
    np.testing.assert_array_equal(cat[1][0]._data, x[0])
    np.testing.assert_array_equal(cat[-1][0]._data, x[5])
    with pytest.raises(IndexError, match="7"):
        cat[7]
    with pytest.raises(IndexError, match="-8"):
        cat[-8]
    assert len(ds + ds) == 12


def test_concat_rejects_empty_and_iterable_datasets():
    with pytest.raises(ValueError, match="at least one"):
        ConcatDataset([])

    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(TypeError, match="dataset 1 is an IterableDataset"):
        ConcatDataset([[1, 2], Stream()])


def test_base_dataset_requires_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


# ---------------------------------------------------------------------------------- random_split
def test_random_split_with_counts_follows_the_generator_permutation():
    ds = list(range(10))
    a, b = random_split(ds, [7, 3], generator=autograd.Generator().manual_seed(123))
    perm = _perm(123, 10).tolist()
    assert list(a) == perm[:7] and list(b) == perm[7:]
    assert a.indices == perm[:7] and b.indices == perm[7:]


def test_random_split_with_fractions_deals_out_the_remainder():
    ds = list(range(10))
    parts = random_split(ds, [0.33, 0.33, 0.34], generator=autograd.Generator().manual_seed(0))
    # floor(3.3), floor(3.3), floor(3.4) = 3, 3, 3; one left over goes to the first split
    assert [len(p) for p in parts] == [4, 3, 3]
    assert sorted(i for p in parts for i in p) == ds


def test_random_split_uses_the_default_generator():
    autograd.manual_seed(7)
    a, _ = random_split(range(5), [2, 3])
    assert a.indices == _perm(7, 5)[:2].tolist()


@given(n=st.integers(0, 60), cuts=st.lists(st.integers(0, 60), max_size=4), seed=st.integers(0, 99))
def test_random_split_is_a_partition_and_repeatable(n, cuts, seed):
    bounds = sorted(min(c, n) for c in cuts)
    lengths = [b - a for a, b in zip([0] + bounds, bounds + [n])]
    split = lambda: random_split(range(n), lengths, generator=autograd.Generator().manual_seed(seed))
    parts = split()
    assert [len(p) for p in parts] == lengths
    assert sorted(i for p in parts for i in p) == list(range(n))
    assert [p.indices for p in parts] == [p.indices for p in split()]


@pytest.mark.parametrize("lengths, message", [
    ([3, 4], r"lengths \[3, 4\] sum to 7, but the dataset has 10"),
    ([0.5, 0.4], r"fractions \[0.5, 0.4\] sum to 0.9"),
    ([0.7, 0.7], r"sum to 1.4"),
    ([-1, 11], r"index 0 is negative \(-1\)"),
    ([], "empty"),
])
def test_random_split_rejects_lengths_that_do_not_add_up(lengths, message):
    with pytest.raises(ValueError, match=message):
        random_split(range(10), lengths)


def test_random_split_rejects_non_numbers_and_foreign_generators():
    with pytest.raises(TypeError, match="index 1"):
        random_split(range(4), [2, "2"])
    with pytest.raises(TypeError, match="autograd.Generator"):
        random_split(range(4), [2, 2], generator=np.random.default_rng(0))


# ---------------------------------------------------------------------------------- samplers
def test_sequential_and_batch_sampler_group_indices():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last=False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6]] and len(bs) == 3
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last=True)
    assert list(bs) == [[0, 1, 2], [3, 4, 5]] and len(bs) == 2
    # any iterable of indices works as the inner sampler
    assert list(BatchSampler([5, 1, 3], 2, False)) == [[5, 1], [3]]
    assert all(type(i) is int for b in BatchSampler(SequentialSampler(range(4)), 2, False) for i in b)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, None])
def test_batch_sampler_rejects_bad_batch_size(bad):
    with pytest.raises(ValueError, match=f"batch_size={bad!r}"):
        BatchSampler(range(3), bad, False)


def test_batch_sampler_rejects_non_bool_drop_last():
    with pytest.raises(ValueError, match="drop_last=1"):
        BatchSampler(range(3), 2, 1)


def test_random_sampler_draws_a_fresh_permutation_each_epoch():
    s = RandomSampler(range(8), generator=autograd.Generator().manual_seed(5))
    ref = MT19937(5)
    # one permutation per pass, then one more cut to the (empty) remainder, as PyTorch
    first, _ = ref.randperm(8), ref.randperm(8)
    assert list(s) == first
    assert list(s) == ref.randperm(8)
    assert len(s) == 8


def test_random_sampler_without_a_generator_seeds_a_fresh_one_from_the_global_one():
    autograd.manual_seed(21)
    seed = MT19937(21).word64() % 2 ** 63
    assert list(RandomSampler(range(9))) == MT19937(seed).randperm(9)


def test_random_sampler_with_replacement_and_num_samples():
    s = RandomSampler(range(4), replacement=True, num_samples=9,
                      generator=autograd.Generator().manual_seed(1))
    draws = list(s)
    assert len(draws) == len(s) == 9
    ref = MT19937(1)      # blocks of 32 draws (the last one short), each word % 4
    assert draws == [ref.word() % 4 for _ in range(9)]
    # more samples than items without replacement: whole permutations back to back
    s = RandomSampler(range(3), num_samples=7, generator=autograd.Generator().manual_seed(2))
    draws = list(s)
    assert sorted(draws[:3]) == sorted(draws[3:6]) == [0, 1, 2] and len(draws) == 7


def test_random_sampler_rejects_bad_arguments():
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples.*0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="empty"):
        list(RandomSampler([], replacement=True, num_samples=2))


def test_subset_random_sampler_permutes_only_its_indices():
    s = SubsetRandomSampler([10, 20, 30, 40], generator=autograd.Generator().manual_seed(3))
    perm = _perm(3, 4)
    assert list(s) == [[10, 20, 30, 40][i] for i in perm] and len(s) == 4


def test_weighted_random_sampler_never_draws_zero_weight():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=200,
                              generator=autograd.Generator().manual_seed(0))
    draws = np.array(list(s))
    assert len(draws) == 200 and set(draws.tolist()) <= {1, 2}
    assert 100 < np.count_nonzero(draws == 2) < 200  # expected 150
    s = WeightedRandomSampler([1, 1, 0, 1], num_samples=3, replacement=False)
    assert sorted(s) == [0, 1, 3]


@pytest.mark.parametrize("weights, n, message", [
    ([1.0, -1.0], 2, "non-negative"), ([0.0, 0.0], 1, "not all zero"), ([], 1, "non-empty"),
    ([1.0], 0, "num_samples"), ([1.0, 0.0], 2, "cannot draw 2 samples without"),
])
def test_weighted_random_sampler_rejects_bad_arguments(weights, n, message):
    with pytest.raises(ValueError, match=message):
        WeightedRandomSampler(weights, n, replacement=n != 2 or weights != [1.0, 0.0])


# ---------------------------------------------------------------------------------- collate
Point = collections.namedtuple("Point", "x y")


def test_default_collate_stacks_tensors_arrays_and_numbers():
    out = default_collate([_t(np.array([1.0, 2.0], np.float32)), _t(np.array([3.0, 4.0], np.float32))])
    assert isinstance(out, Tensor) and out.dtype == np.float32
    np.testing.assert_array_equal(out._data, [[1, 2], [3, 4]])
    out = default_collate([np.array([1, 2], np.int16), np.array([3, 4], np.int16)])
    assert isinstance(out, Tensor) and out.dtype == np.int16 and out.shape == (2, 2)
    out = default_collate([1, 2, 3])
    assert out.dtype == np.int64 and out._data.tolist() == [1, 2, 3]
    out = default_collate([0.5, 1])
    assert out.dtype == autograd.get_default_dtype() and out._data.tolist() == [0.5, 1.0]
    out = default_collate([True, False])
    assert out.dtype == np.bool_ and out._data.tolist() == [True, False]
    out = default_collate([np.float64(1.5), np.float64(2.5)])
    assert out.dtype == np.float64 and out.shape == (2,)
    assert default_collate(["a", "b"]) == ["a", "b"]


def test_default_collate_is_detached_and_does_not_alias_samples():
    a = autograd.ones(2, requires_grad=True)
    out = default_collate([a, a])
    assert not out.requires_grad and out.grad_fn is None
    out._data[0, 0] = 5.0
    assert a._data[0] == 1.0


def test_default_collate_recurses_into_nested_structures():
    samples = [{"img": np.full((2,), i, np.float32), "meta": (i, Point(x=float(i), y=[i, "s"]))}
               for i in range(3)]
    out = default_collate(samples)
    assert set(out) == {"img", "meta"}
    np.testing.assert_array_equal(out["img"]._data, [[0, 0], [1, 1], [2, 2]])
    count, point = out["meta"]              # tuples come back as lists, like PyTorch
    assert isinstance(out["meta"], list)
    assert count._data.tolist() == [0, 1, 2] and count.dtype == np.int64
    assert isinstance(point, Point) and point.x._data.tolist() == [0.0, 1.0, 2.0]
    assert isinstance(point.y, list) and point.y[0]._data.tolist() == [0, 1, 2]
    assert point.y[1] == ["s", "s", "s"]
    od = default_collate([collections.OrderedDict(b=1, a=2)] * 2)
    assert isinstance(od, collections.OrderedDict) and list(od) == ["b", "a"]


_LEAVES = st.sampled_from(["int", "float", "f32x2", "i64x3", "tensor"])
_SCHEMA = st.recursive(_LEAVES, lambda kids: st.one_of(
    st.lists(kids, min_size=1, max_size=3).map(lambda xs: ("list", xs)),
    st.lists(kids, min_size=1, max_size=3).map(lambda xs: ("tuple", xs)),
    st.dictionaries(st.text("abc", min_size=1, max_size=2), kids, min_size=1,
                    max_size=3).map(lambda d: ("dict", d))), max_leaves=8)


def _sample(schema, rng):
    if schema == "int":
        return int(rng.integers(-5, 5))
    if schema == "float":
        return float(rng.standard_normal())
    if schema == "f32x2":
        return rng.standard_normal(2).astype(np.float32)
    if schema == "i64x3":
        return rng.integers(0, 9, 3)
    if schema == "tensor":
        return autograd.tensor(rng.standard_normal((2, 1)))
    kind, kids = schema
    if kind == "dict":
        return {k: _sample(v, rng) for k, v in kids.items()}
    items = [_sample(k, rng) for k in kids]
    return tuple(items) if kind == "tuple" else items


def _check_collated(schema, out, samples):
    if isinstance(schema, str):
        leaves = [s._data if isinstance(s, Tensor) else s for s in samples]
        expected = np.asarray(leaves, dtype={"int": np.int64, "float": np.float32}.get(schema))
        assert isinstance(out, Tensor)
        assert out.dtype == expected.dtype and out.shape == expected.shape
        np.testing.assert_array_equal(out._data, expected)
        return
    kind, kids = schema
    if kind == "dict":
        assert isinstance(out, dict) and list(out) == list(kids)
        for k, v in kids.items():
            _check_collated(v, out[k], [s[k] for s in samples])
    else:
        assert isinstance(out, list) and len(out) == len(kids)
        for i, k in enumerate(kids):
            _check_collated(k, out[i], [s[i] for s in samples])


@given(schema=_SCHEMA, batch=st.integers(1, 4), seed=st.integers(0, 2 ** 16))
def test_default_collate_matches_numpy_stacking_of_random_nested_samples(schema, batch, seed):
    rng = np.random.default_rng(seed)
    samples = [_sample(schema, rng) for _ in range(batch)]
    _check_collated(schema, default_collate(samples), samples)


def test_default_collate_errors_name_the_mismatch():
    with pytest.raises(ValueError, match=r"\(2,\) at position 0 and \(3,\) at position 1"):
        default_collate([autograd.zeros(2), autograd.zeros(3)])
    with pytest.raises(ValueError, match="length, got 2 at position 0 and 1 at position 2"):
        default_collate([(1, 2), (3, 4), (5,)])
    with pytest.raises(ValueError, match="sample 1 has no key 'b'"):
        default_collate([{"a": 1, "b": 2}, {"a": 1}])
    with pytest.raises(TypeError, match="object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="sample 1 is a int"):
        default_collate([autograd.zeros(1), 3])
    with pytest.raises(TypeError, match="dtype <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(ValueError, match="non-empty"):
        default_collate([])


def test_default_convert_turns_arrays_into_tensors():
    out = default_convert({"a": np.arange(3), "b": (np.float32(2.0), "s")})
    assert isinstance(out["a"], Tensor) and out["a"]._data.tolist() == [0, 1, 2]
    assert isinstance(out["b"][0], Tensor) and out["b"][0].dtype == np.float32
    assert out["b"][1] == "s"


# ---------------------------------------------------------------------------------- DataLoader
def test_loader_sequential_batches_are_slices():
    ds, x, y = _dataset(10)
    loader = DataLoader(ds, batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    np.testing.assert_array_equal(batches[2][0]._data, x[8:])
    np.testing.assert_array_equal(batches[1][1]._data, y[4:8])
    assert batches[1][1].dtype == np.int64 and isinstance(batches[0], list)


def test_loader_drop_last_and_length():
    ds, _, _ = _dataset(10)
    loader = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(loader) == 2 and [b[0].shape[0] for b in loader] == [4, 4]
    assert len(DataLoader(ds, batch_size=10)) == 1 and len(DataLoader(ds)) == 10


def test_loader_shuffle_follows_the_generator_and_is_reiterable():
    ds, x, _ = _dataset(10)
    loader = DataLoader(ds, batch_size=3, shuffle=True, generator=autograd.Generator().manual_seed(9))
    ref = MT19937(9)
    for _ in range(2):
        # each epoch: a base seed for workers, the permutation, the empty remainder's one
        ref.word64()
        order, _ = ref.randperm(10), ref.randperm(10)
        rows = np.concatenate([b[0]._data for b in loader])
        np.testing.assert_array_equal(rows, x[order])


def test_loader_draws_the_order_when_the_first_batch_is_taken():
    ds, x, _ = _dataset(6)
    loader = DataLoader(ds, batch_size=6, shuffle=True, generator=autograd.Generator().manual_seed(4))
    first, second = iter(loader), iter(loader)      # two base seeds drawn here
    ref = MT19937(4)
    ref.word64(), ref.word64()
    p2, _, p1 = ref.randperm(6), ref.randperm(6), ref.randperm(6)
    np.testing.assert_array_equal(next(second)[0]._data, x[p2])
    list(second)
    np.testing.assert_array_equal(next(first)[0]._data, x[p1])
    assert len(first) == 1


def test_loader_is_deterministic_for_a_seed_of_the_default_generator():
    ds, _, _ = _dataset(20)
    runs = []
    for _ in range(2):
        autograd.manual_seed(11)
        loader = DataLoader(ds, batch_size=4, shuffle=True)
        runs.append(_epoch(loader) + _epoch(loader))
    for a, b in zip(*runs):
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v)
    autograd.manual_seed(12)
    other = _epoch(DataLoader(ds, batch_size=4, shuffle=True))
    assert not all(np.array_equal(u[0], v[0]) for u, v in zip(runs[0], other))


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 1000), subset=st.booleans())
def test_fast_path_gives_the_same_batches_as_stacking_samples(n, batch_size, shuffle, drop_last,
                                                              seed, subset):
    ds, _, _ = _dataset(n)
    if subset:
        ds = Subset(ds, list(range(n - 1, -1, -2)))
    out = []
    for collate in (None, _slow):
        loader = DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                            collate_fn=collate, generator=autograd.Generator().manual_seed(seed))
        out.append(list(loader))
        assert len(out[-1]) == len(loader)
    fast, slow = out
    assert len(fast) == len(slow)
    for fb, sb in zip(fast, slow):
        assert type(fb) is type(sb) is list
        for f, s in zip(fb, sb):
            assert f.dtype == s.dtype and f.shape == s.shape
            np.testing.assert_array_equal(f._data, s._data)


def test_fast_path_skips_subclasses_that_transform_items():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            x, y = super().__getitem__(i)
            return autograd.tensor(x._data * 2), y

    ds = Doubled(autograd.ones(4, 2), autograd.arange(4))
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    np.testing.assert_array_equal(xb._data, np.full((4, 2), 2.0))


def test_fast_batches_do_not_alias_the_dataset():
    ds, x, _ = _dataset(4)
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    xb._data[:] = -1
    np.testing.assert_array_equal(ds.tensors[0]._data, x)


def test_loader_over_plain_list_custom_dataset_and_custom_collate():
    assert [b._data.tolist() for b in DataLoader([1, 2, 3, 4, 5], batch_size=2)] == \
        [[1, 2], [3, 4], [5]]

    class Squares(Dataset):
        def __getitem__(self, i):
            assert type(i) is int
            return {"i": i, "sq": np.array([i * i], np.float64)}

        def __len__(self):
            return 5

    batch = next(iter(DataLoader(Squares(), batch_size=5, shuffle=True)))
    assert sorted(batch["i"]._data.tolist()) == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(batch["sq"]._data[:, 0], batch["i"]._data ** 2)
    assert list(DataLoader(range(4), batch_size=2, collate_fn=sum)) == [1, 5]


def test_loader_uses_getitems_when_the_dataset_has_it():
    class Batched(Dataset):
        calls = []

        def __getitem__(self, i):
            raise AssertionError("per-item access should not be used")

        def __getitems__(self, idx):
            self.calls.append(list(idx))
            return [float(i) for i in idx]

        def __len__(self):
            return 5

    out = [b._data.tolist() for b in DataLoader(Batched(), batch_size=3)]
    assert out == [[0.0, 1.0, 2.0], [3.0, 4.0]] and Batched.calls == [[0, 1, 2], [3, 4]]


def test_loader_with_sampler_and_batch_sampler():
    ds, x, _ = _dataset(6)
    loader = DataLoader(ds, batch_size=2, sampler=[5, 3, 1])
    np.testing.assert_array_equal(np.concatenate([b[0]._data for b in loader]), x[[5, 3, 1]])
    loader = DataLoader(ds, batch_sampler=[[0, 5], [2]])
    assert len(loader) == 2 and [b[0].shape[0] for b in loader] == [2, 1]
    np.testing.assert_array_equal(next(iter(loader))[0]._data, x[[0, 5]])


def test_loader_without_batching_returns_samples():
    loader = DataLoader([np.arange(2), np.arange(2) + 2], batch_size=None)
    items = list(loader)
    assert len(loader) == 2 and all(isinstance(t, Tensor) for t in items)
    assert items[1]._data.tolist() == [2, 3]


def test_loader_over_iterable_dataset_batches_the_stream():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    assert [b._data.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    loader = DataLoader(Stream(), batch_size=3, drop_last=True)
    assert len(loader) == 2 and len(list(loader)) == 2
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)
    with pytest.raises(ValueError, match="sampler"):
        DataLoader(Stream(), sampler=[0])
    with pytest.raises(ValueError, match="batch_sampler"):
        DataLoader(Stream(), batch_sampler=[[0]])


def test_num_workers_runs_in_process_with_the_same_batches():
    ds, _, _ = _dataset(9)
    seen = []
    a = _epoch(DataLoader(ds, batch_size=4))
    b = _epoch(DataLoader(ds, batch_size=4, num_workers=2, worker_init_fn=seen.append,
                          prefetch_factor=2, persistent_workers=True, pin_memory=True))
    assert seen == [0] and get_worker_info() is None
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u[0], v[0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=0), "batch_size=0"),
    (dict(batch_size=-3), "batch_size=-3"),
    (dict(batch_size=2.5), "batch_size=2.5"),
    (dict(batch_size=True), "batch_size=True"),
    (dict(num_workers=-1), "num_workers=-1"),
    (dict(timeout=-1), "timeout=-1"),
    (dict(prefetch_factor=2), "prefetch_factor=2"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor=-1"),
    (dict(persistent_workers=True), "persistent_workers"),
    (dict(drop_last="yes"), "drop_last='yes'"),
    (dict(shuffle=True, sampler=[0, 1]), "mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "mutually exclusive"),
])
def test_loader_rejects_bad_arguments_by_name(kwargs, message):
    ds, _, _ = _dataset(4)
    with pytest.raises(ValueError, match=message):
        DataLoader(ds, **kwargs)


def test_loader_rejects_wrong_types():
    ds, _, _ = _dataset(4)
    with pytest.raises(TypeError, match="collate_fn"):
        DataLoader(ds, collate_fn=3)
    with pytest.raises(TypeError, match="Generator"):
        DataLoader(ds, shuffle=True, generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match="map-style"):
        DataLoader(42)


def test_loader_settings_are_frozen_after_init():
    loader = DataLoader(_dataset(4)[0], batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute"):
        loader.batch_size = 3
    loader.num_workers = 0  # other attributes stay settable, as in PyTorch


@pytest.mark.skipif(not hasattr(Tensor, "__getitem__"), reason="Tensor indexing not available")
def test_tensor_dataset_keeps_the_graph_for_tensors_requiring_grad():
    w = autograd.ones(3, 2, requires_grad=True)
    samples = next(iter(DataLoader(TensorDataset(w), batch_size=3, collate_fn=lambda b: b)))
    (row,) = samples[1]
    assert row.requires_grad and row.shape == (2,)
    row.sum().backward()
    np.testing.assert_array_equal(w.grad._data, [[0, 0], [1, 1], [0, 0]])
