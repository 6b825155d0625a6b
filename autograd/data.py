"""Datasets, samplers and the DataLoader, mirroring `torch.utils.data`.

Code written as `from torch.utils.data import DataLoader, TensorDataset` ports by changing the
import. Shuffling and `random_split` draw from `autograd.default_generator` (or the `generator=`
given), so one `autograd.manual_seed` makes every epoch's order repeatable.

Example:
    >>> ds = TensorDataset(autograd.randn(100, 3), autograd.arange(100))
    >>> train, val = random_split(ds, [0.8, 0.2], generator=autograd.Generator().manual_seed(0))
    >>> for x, y in DataLoader(train, batch_size=16, shuffle=True):
    ...     pass  # x: (16, 3) float32, y: (16,) int64
"""
import bisect
import collections.abc
import copy
import itertools
import math
import numbers

import numpy as np

from . import dtypes
from .random import Generator, _generator
from .tensor import Tensor, _make

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DataLoader",
           "default_collate", "default_convert", "get_worker_info"]


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _check_generator(generator, where):
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"{where}: generator must be an autograd.Generator or None, got "
                        f"{type(generator).__name__}")


def _tensor_item(t, index):
    # NOTE: tensors that don't require grad are indexed on the array (no graph node, no Tensor
    # indexing op needed); a scalar index yields a 0-d array, which Tensor requires.
    if t._requires_grad:
        return t[index]
    return _make(np.asarray(t._data[index]), None)


# ---------------------------------------------------------------------------------- datasets
class Dataset:
    """A map-style dataset: subclasses define `__getitem__(index)` and usually `__len__`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])

    def _fast_batch(self, indices):
        """The collated batch for an int array of indices, or None when there is no shortcut.

        The DataLoader calls this only with its default collate; a dataset that returns a batch
        must return exactly what `default_collate([self[i] for i in indices])` would.
        """
        return None


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define `__iter__`.

    With `num_workers > 0` the DataLoader still iterates in this process, so the stream is
    read once per epoch, not once per worker.
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other):
        raise TypeError("IterableDatasets cannot be concatenated with +; chain their iterators")


class TensorDataset(Dataset):
    """Samples are tuples `(t[i] for t in tensors)`; all tensors share their first dimension.

    Shapes: tensors: (N, *) each  ->  item: tuple of (*) tensors

    Example:
        >>> ds = TensorDataset(autograd.randn(10, 4), autograd.arange(10))
        >>> x, y = ds[3]          # x: (4,), y: ()
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, not a "
                                f"Tensor (wrap arrays with autograd.from_numpy)")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is a 0-d tensor; every tensor "
                                 f"needs a first dimension to index")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: first dimensions "
                             f"are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(_tensor_item(t, index) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def _fast_batch(self, indices):
        # NOTE: one fancy index per tensor instead of B per-sample items and a stack: measured
        # 20,000-35,000 vs 3,000-4,500 batches/s (5-8x) for 60000x784 float32 at batch 64,
        # shuffled, on 2 shared CPU cores. Only when __getitem__ is ours (a subclass that
        # transforms samples must go the slow way) and nothing requires grad (the default
        # collate detaches, and a fancy index here would too, but grad would want a graph).
        if type(self).__getitem__ is not TensorDataset.__getitem__:
            return None
        if any(t._requires_grad for t in self.tensors):
            return None
        return [_make(t._data[indices], None) for t in self.tensors]


class Subset(Dataset):
    """The items of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        self._index_array = None

    def __getitem__(self, index):
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices):
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems is not None:
            return getitems([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)

    def _fast_batch(self, indices):
        if type(self).__getitem__ is not Subset.__getitem__ or not isinstance(self.dataset,
                                                                              Dataset):
            return None
        key = (id(self.indices), len(self.indices))
        if self._index_array is None or self._index_array[0] != key:
            self._index_array = (key, np.asarray(self.indices, dtype=np.intp).reshape(-1))
        return self.dataset._fast_batch(self._index_array[1][indices])


class ConcatDataset(Dataset):
    """The datasets one after the other; `len` is the sum of theirs."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset, got an empty list")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {i} is an IterableDataset; only "
                                f"map-style datasets can be concatenated")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        if index < 0:
            if -index > n:
                raise IndexError(f"index {index} is out of range for a dataset of length {n}")
            index += n
        if index >= n:
            raise IndexError(f"index {index} is out of range for a dataset of length {n}")
        d = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[d - 1] if d else 0
        return self.datasets[d][index - start]


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping `Subset`s of the given lengths, in random order.

    `lengths` are counts summing to `len(dataset)`, or fractions summing to 1 (each
    `floor(frac * len)`, the remainder dealt out one by one from the first split, as PyTorch
    does). The permutation is drawn from `generator` (default: `autograd.default_generator`).

    Example:
        >>> train, val = random_split(ds, [0.8, 0.2], generator=autograd.Generator().manual_seed(0))
    """
    _check_generator(generator, "random_split")
    lengths = list(lengths)
    n = len(dataset)
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    for i, x in enumerate(lengths):
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
            raise TypeError(f"random_split: length at index {i} is {x!r}; expected an int or a "
                            f"float fraction")
        if x < 0:
            raise ValueError(f"random_split: length at index {i} is negative ({x})")
    if all(_is_int(x) for x in lengths):
        lengths = [int(x) for x in lengths]
        if sum(lengths) != n:
            raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the "
                             f"dataset has {n} items")
    else:
        total = math.fsum(float(x) for x in lengths)
        if not math.isclose(total, 1.0) or total > 1.0 + 1e-12:
            raise ValueError(f"random_split: fractions {lengths} sum to {total}, not 1 (pass "
                             f"counts summing to {n} or fractions summing to 1)")
        if any(x > 1 for x in lengths):
            raise ValueError(f"random_split: fractions {lengths} must each be between 0 and 1")
        counts = [int(math.floor(n * float(f))) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    perm = _generator(generator).permutation(n).tolist()
    return [Subset(dataset, perm[end - k:end])
            for end, k in zip(itertools.accumulate(lengths), lengths)]


# ---------------------------------------------------------------------------------- samplers
class Sampler:
    """An iterable over dataset indices; subclasses define `__iter__` (and `__len__`)."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def _index_array(self):
        """One epoch's indices as an int array, drawn now (None: no array form)."""
        return None


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)

    def _index_array(self):
        return np.arange(len(self.data_source))


class RandomSampler(Sampler):
    """A random permutation of the indices (or `num_samples` draws with `replacement`).

    The order is drawn from `generator` (default: `autograd.default_generator`) when `iter()`
    is called, so each epoch differs and a seed fixes them all.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None and (not _is_int(num_samples) or num_samples <= 0):
            raise ValueError(f"RandomSampler: num_samples must be a positive integer, got "
                             f"{num_samples!r}")
        _check_generator(generator, "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self):
        return self.num_samples

    def _index_array(self):
        # PyTorch's order of draws: without a generator, a fresh one seeded from the global one
        # (a 64-bit draw); with replacement, blocks of 32 draws; without, one permutation per
        # pass over the data and one more cut to the remainder (drawn even when it is empty).
        n = len(self.data_source)
        if self.generator is None:
            seed = int(_generator(None).full_range((), np.int64))
            gen = Generator().manual_seed(seed)
        else:
            gen = self.generator
        if self.replacement:
            if n == 0:
                raise ValueError("RandomSampler: cannot sample with replacement from an empty "
                                 "dataset")
            blocks = [gen.integers((32,), 0, n) for _ in range(self.num_samples // 32)]
            blocks.append(gen.integers((self.num_samples % 32,), 0, n))
            return np.concatenate(blocks)
        passes = [gen.permutation(n) for _ in range(self.num_samples // n)]
        passes.append(gen.permutation(n)[:self.num_samples % n])
        return np.concatenate(passes)


class SubsetRandomSampler(Sampler):
    """The given indices in a random order drawn at each `iter()`."""

    def __init__(self, indices, generator=None):
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self):
        return len(self.indices)

    def _index_array(self):
        idx = np.asarray(self.indices, dtype=np.intp).reshape(-1)
        return idx[_generator(self.generator).permutation(len(idx))]


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probability proportional to `weights`."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples must be a positive integer, "
                             f"got {num_samples!r}")
        if not isinstance(replacement, bool):
            raise TypeError(f"WeightedRandomSampler: replacement must be a bool, got "
                            f"{replacement!r}")
        _check_generator(generator, "WeightedRandomSampler")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, np.float64)
        if w.ndim != 1 or w.size == 0:
            raise ValueError(f"WeightedRandomSampler: weights must be a non-empty 1-d sequence, "
                             f"got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and "
                             "not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples without "
                             f"replacement from {np.count_nonzero(w)} non-zero weights")
        self.weights = w
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self):
        return self.num_samples

    def _index_array(self):
        return _generator(self.generator).multinomial(self.weights[None], self.num_samples,
                                                      self.replacement)[0]


_ARRAY_SAMPLERS = (SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler)


def _sampler_array(sampler):
    """The epoch's indices as an array if `sampler` is one of ours with its own `__iter__`."""
    for cls in _ARRAY_SAMPLERS:
        if type(sampler).__iter__ is cls.__iter__ and isinstance(sampler, cls):
            return sampler._index_array()
    return None


class BatchSampler(Sampler):
    """Groups the indices of `sampler` into lists of `batch_size` (last one shorter unless
    `drop_last`)."""

    def __init__(self, sampler, batch_size, drop_last):
        if not _is_int(batch_size) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        return (b.tolist() for b in self._index_batches())

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _index_batches(self):
        """An iterator over int arrays, one per batch; the epoch's order is drawn now."""
        bs = self.batch_size
        idx = _sampler_array(self.sampler)
        if idx is not None:
            stop = len(idx) - len(idx) % bs if self.drop_last else len(idx)
            return (idx[i:i + bs] for i in range(0, stop, bs))
        return self._grouped(iter(self.sampler))

    def _grouped(self, it):
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield np.asarray(batch, dtype=np.intp)


# ---------------------------------------------------------------------------------- collate
def _number_tensor(batch):
    if all(isinstance(x, (bool, np.bool_)) for x in batch):
        return _make(np.asarray(batch, dtype=np.bool_), None)
    if all(_is_int(x) for x in batch):
        return _make(np.asarray(batch, dtype=np.int64), None)
    return _make(np.asarray(batch, dtype=dtypes.get_default_dtype()), None)


def _stack(arrays, what):
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise ValueError(f"default_collate: each {what} in a batch must have the same "
                             f"shape, got {shape} at position 0 and {a.shape} at position {i}")
    return np.stack(arrays)


def default_collate(batch):
    """Merge a list of samples into a batch, as `torch.utils.data.default_collate` does.

    Tensors and NumPy arrays are stacked along a new first dimension (detached: the batch has no
    grad history); Python ints become an int64 tensor, bools a bool tensor and floats a tensor of
    the default float dtype (PyTorch uses float64 here); NumPy scalars keep their dtype; strings
    and bytes stay a list. Dicts, namedtuples, tuples and lists are collated field by field
    (tuples, like PyTorch, come back as lists).

    Shapes: batch: B samples each (*)  ->  (B, *)
    """
    if not isinstance(batch, collections.abc.Sequence) or len(batch) == 0:
        raise ValueError(f"default_collate expects a non-empty list of samples, got "
                         f"{type(batch).__name__} of length {len(batch) if hasattr(batch, '__len__') else '?'}")
    elem = batch[0]
    if isinstance(elem, Tensor):
        for i, x in enumerate(batch):
            if not isinstance(x, Tensor):
                raise TypeError(f"default_collate: sample 0 is a Tensor but sample {i} is a "
                                f"{type(x).__name__}")
        return _make(_stack([x._data for x in batch], "tensor"), None)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: NumPy arrays of dtype {elem.dtype} cannot become "
                            f"tensors (bool, integer or float only)")
        return _make(_stack([np.asarray(x) for x in batch], "array"), None)
    if isinstance(elem, np.generic) and elem.dtype.kind in "biuf":
        return _make(np.asarray(batch), None)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, (bool, numbers.Number)) and not isinstance(elem, np.generic):
        if not all(isinstance(x, numbers.Real) for x in batch):
            raise TypeError(f"default_collate: cannot collate numbers of types "
                            f"{sorted({type(x).__name__ for x in batch})}")
        return _number_tensor(batch)
    if isinstance(elem, collections.abc.Mapping):
        out = {}
        for key in elem:
            values = []
            for i, d in enumerate(batch):
                if key not in d:
                    raise ValueError(f"default_collate: sample {i} has no key {key!r} (sample "
                                     f"0 has keys {list(elem)})")
                values.append(d[key])
            out[key] = default_collate(values)
        try:
            clone = copy.copy(elem)
            clone.update(out)
            return clone
        except (TypeError, AttributeError):
            return out
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for i, x in enumerate(batch):
            if len(x) != size:
                raise ValueError(f"default_collate: each sequence in a batch must have the same "
                                 f"length, got {size} at position 0 and {len(x)} at position {i}")
        fields = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):
            return type(elem)(*fields)
        if isinstance(elem, tuple):
            return fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(f"default_collate: batch must contain tensors, NumPy arrays, numbers, "
                    f"strings, dicts or sequences; found {type(elem).__name__}")


def default_convert(data):
    """Turn NumPy arrays (also inside dicts and sequences) into tensors, leaving the rest.

    The collate used when `batch_size=None` (samples are returned one by one, not batched).
    """
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return _make(data, None)
    if isinstance(data, np.generic) and data.dtype.kind in "biuf":
        return _make(np.asarray(data), None)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(x) for x in data))
    if isinstance(data, tuple):
        return [default_convert(x) for x in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(x) for x in data])
        except TypeError:
            return [default_convert(x) for x in data]
    return data


def get_worker_info():
    """Always None: data loading runs in the main process (see `DataLoader`)."""
    return None


# ---------------------------------------------------------------------------------- DataLoader
class DataLoader:
    """Iterate over a dataset in batches, as `torch.utils.data.DataLoader` does.

    Each `iter()` starts a new epoch: with `shuffle=True` the order is drawn from `generator`
    (default: `autograd.default_generator`) at that moment, so a seed fixes every epoch's order.
    `len(loader)` is the number of batches.

    Loading runs in this process: `num_workers > 0` is accepted for compatibility (checked,
    `worker_init_fn(0)` is called at the start of each epoch) but spawns nothing, and
    `pin_memory` is a no-op on the CPU. For a `TensorDataset` (or a `Subset` of one) with the
    default collate, each batch is one fancy index per tensor instead of a stack of samples.

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        >>> for xb, yb in loader:
        ...     loss = F.cross_entropy(model(xb), yb)
    """

    _frozen = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset")

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if batch_size is not None and (not _is_int(batch_size) or batch_size < 1):
            raise ValueError(f"batch_size should be a positive integer value (or None), but got "
                             f"batch_size={batch_size!r}")
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError(f"num_workers option should be a non-negative integer, but got "
                             f"num_workers={num_workers!r}")
        if not isinstance(timeout, numbers.Real) or timeout < 0:
            raise ValueError(f"timeout option should be non-negative, but got timeout={timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(f"prefetch_factor option could only be specified in multiprocessing "
                             f"(num_workers > 0), but got prefetch_factor={prefetch_factor!r}")
        if prefetch_factor is not None and (not _is_int(prefetch_factor) or prefetch_factor < 0):
            raise ValueError(f"prefetch_factor option should be a non-negative integer, but got "
                             f"prefetch_factor={prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")
        _check_generator(generator, "DataLoader")
        shuffle = bool(shuffle)

        if isinstance(dataset, IterableDataset):
            if shuffle:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 "option")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "batch_sampler option")
        else:
            if not hasattr(dataset, "__getitem__"):
                raise TypeError(f"DataLoader: dataset must be a map-style dataset (with "
                                f"__getitem__ and __len__) or an IterableDataset, got "
                                f"{type(dataset).__name__}")
            if sampler is not None and shuffle:
                raise ValueError("sampler option is mutually exclusive with shuffle")
            if batch_sampler is not None:
                if batch_size != 1 or shuffle or sampler is not None or drop_last:
                    raise ValueError("batch_sampler option is mutually exclusive with "
                                     "batch_size, shuffle, sampler, and drop_last")
                batch_size, drop_last = None, False
            if sampler is None:
                sampler = (RandomSampler(dataset, generator=generator) if shuffle
                           else SequentialSampler(dataset))
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        if collate_fn is None:
            collate_fn = default_collate if (batch_size is not None or batch_sampler is not None) \
                else default_convert
        d = self.__dict__
        d.update(dataset=dataset, batch_size=batch_size, sampler=sampler,
                 batch_sampler=batch_sampler, num_workers=int(num_workers),
                 collate_fn=collate_fn, pin_memory=pin_memory, drop_last=drop_last,
                 timeout=timeout, worker_init_fn=worker_init_fn,
                 multiprocessing_context=multiprocessing_context, generator=generator,
                 prefetch_factor=prefetch_factor, persistent_workers=persistent_workers,
                 pin_memory_device=pin_memory_device, in_order=in_order)

    def __setattr__(self, name, value):
        if name in self._frozen:
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} "
                             f"is initialized")
        object.__setattr__(self, name, value)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        # Each epoch draws a base seed for worker processes, as PyTorch's loader does; there are
        # no workers here, but the draw keeps the generator's stream in step with PyTorch's.
        _generator(self.generator).full_range((), np.int64)
        if self.num_workers > 0 and self.worker_init_fn is not None:
            self.worker_init_fn(0)
        if isinstance(self.dataset, IterableDataset):
            batches = self._iterable_batches()
        elif self.batch_sampler is None:
            batches = (self.collate_fn(self.dataset[i]) for i in iter(self.sampler))
        else:
            batches = self._map_batches()
        return _LoaderIter(self, batches)

    def _map_batches(self):
        # a generator: the sampler draws the epoch's order at the first batch, as PyTorch's
        bs, dataset, collate = self.batch_sampler, self.dataset, self.collate_fn
        if type(bs).__iter__ is BatchSampler.__iter__ and isinstance(bs, BatchSampler):
            index_batches = bs._index_batches()
        else:
            index_batches = (np.asarray(b, dtype=np.intp) for b in iter(bs))
        fast = collate is default_collate and isinstance(dataset, Dataset)
        getitems = getattr(dataset, "__getitems__", None)
        yield from self._fetch(index_batches, dataset, collate, fast, getitems)

    @staticmethod
    def _fetch(index_batches, dataset, collate, fast, getitems):
        for idx in index_batches:
            if fast:
                batch = dataset._fast_batch(idx)
                if batch is not None:
                    yield batch
                    continue
                fast = False
            idx = idx.tolist()
            yield collate(getitems(idx) if getitems is not None else [dataset[i] for i in idx])

    def _iterable_batches(self):
        it, collate = iter(self.dataset), self.collate_fn
        if self.batch_size is None:
            for sample in it:
                yield collate(sample)
            return
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield collate(batch)


class _LoaderIter:
    """One epoch over a DataLoader; `len()` is the loader's length, as in PyTorch."""

    def __init__(self, loader, batches):
        self._loader = loader
        self._batches = batches

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)
