"""Version counters for in-place safety, kept per storage instead of per tensor.

Every in-place write through the Tensor API calls `bump(array, op_name)`, which records, for the
array's root storage (views resolve to the array that owns the memory), how many writes it has
had, the sequence number of the latest one and the op that made it. A node whose saved value is
later overwritten sees a write newer than itself when backward reads its saved values, and
raises. Nothing is allocated per tensor or per op: the check is one integer comparison unless
some in-place write happened after the node was created.
"""
import weakref

import numpy as np

from . import function

__all__ = ["bump", "bump_all", "version_of", "modified_after", "VersionCell"]

_registry = {}      # id(root storage) -> [weakref to it, write count, seq of last write, op name]
_latest = [-1]      # seq number of the latest in-place write anywhere


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _entry(arr, create):
    root = _root(arr)
    key = id(root)
    entry = _registry.get(key)
    if entry is not None and entry[0]() is root:
        return entry
    if not create:
        return None
    ref = weakref.ref(root, lambda _, key=key: _registry.pop(key, None))
    entry = _registry[key] = [ref, 0, -1, None]
    return entry


def bump(x, op_name):
    """Record an in-place write to `x` (a Tensor or an ndarray) made by `op_name`."""
    bump_all((x._data if not isinstance(x, np.ndarray) else x,), op_name)


def bump_all(arrays, op_name):
    """`bump` for each array in `arrays` (one write, as an optimizer step is), in one call."""
    seq = _latest[0] = next(function._seq)
    get = _registry.get
    for arr in arrays:
        entry = get(id(arr)) if arr.base is None else None  # (no view chain to walk)
        if entry is None or entry[0]() is not arr:
            entry = _entry(arr, True)
        entry[1] += 1
        entry[2] = seq
        entry[3] = op_name


def version_of(arr):
    """How many in-place writes the storage of `arr` has had."""
    entry = _entry(arr, False)
    return 0 if entry is None else entry[1]


def modified_after(arr, seq):
    """The op name of an in-place write to `arr`'s storage after sequence number `seq`, else
    None."""
    entry = _entry(arr, False)
    if entry is not None and entry[2] > seq:
        return entry[3]
    return None


class VersionCell:
    """`tensor._vc`: a two-slot view `[version, last op]` of the storage's counter (kept so code
    can read and bump versions as `t._vc[0] += 1`)."""

    __slots__ = ("_arr",)

    def __init__(self, arr):
        self._arr = arr

    def __getitem__(self, i):
        entry = _entry(self._arr, False)
        if i == 0:
            return 0 if entry is None else entry[1]
        return None if entry is None else entry[3]

    def __setitem__(self, i, value):
        entry = _entry(self._arr, True)
        if i == 0:
            if value != entry[1]:
                entry[1] = value - 1
                bump(self._arr, entry[3] or "in-place write")
        else:
            entry[3] = value
