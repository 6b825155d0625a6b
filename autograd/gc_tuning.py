"""Collector thresholds that keep graph building flat in cost per node.

Every op leaves four objects the cyclic garbage collector tracks (its output Tensor, its node
and the node's edge and saved-value tuples). With CPython's default thresholds (700, 10, 10) a
graph of a million nodes triggers repeated full collections that walk the whole graph, and
building it gets several times slower per node than building a small one. The graph itself
never forms reference cycles (it is freed by reference counting alone), so collecting less often
costs nothing here.

A graph object is walked by a middle-generation collection only if one happens while it is
alive. At (50000, 50, 100) one came every 2.5 million net tracked allocations, so a
million-node graph (four million) was walked once more whole, about 0.4 µs per node (15% of
building it); at (50000, 1000, 10) one comes every 50 million, and full collections come about
as often as before (every 500 million allocations instead of 250 million).

On import, if the thresholds are still CPython's defaults, they are raised to `TUNED`. Set the
environment variable `AUTOGRAD_GC_TUNING=0` before importing, or call `set_gc_tuning(False)`, to
keep the defaults.
"""
import gc
import os

__all__ = ["set_gc_tuning", "TUNED", "CPYTHON_DEFAULT"]

CPYTHON_DEFAULT = (700, 10, 10)
TUNED = (50_000, 1000, 10)


def set_gc_tuning(enabled=True):
    """Raise the collector thresholds to `TUNED` (True) or restore CPython's defaults (False)."""
    gc.set_threshold(*(TUNED if enabled else CPYTHON_DEFAULT))


def tune_on_import():
    if os.environ.get("AUTOGRAD_GC_TUNING", "1") != "0" and gc.get_threshold() == CPYTHON_DEFAULT:
        set_gc_tuning(True)
