"""Grad-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode."""
import threading

import numpy as np
import pytest

import autograd


def _leaf():
    return autograd.tensor([1.0, 2.0], requires_grad=True)


def test_nothing_is_recorded_inside_no_grad():
    x = _leaf()
    with autograd.no_grad():
        y = x * 2
        z = y.exp().sum()
    assert not y.requires_grad and y.grad_fn is None and z.grad_fn is None
    assert autograd.is_grad_enabled()


def test_no_grad_is_a_decorator_with_or_without_parentheses():
    @autograd.no_grad
    def f(t):
        return t * 2

    @autograd.no_grad()
    def g(t):
        return t * 3

    x = _leaf()
    assert not f(x).requires_grad and not g(x).requires_grad
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad_records_again():
    x = _leaf()
    with autograd.no_grad():
        with autograd.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_a_call_and_as_a_context_manager():
    x = _leaf()
    with autograd.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert autograd.is_grad_enabled()
    autograd.set_grad_enabled(False)
    try:
        assert not autograd.is_grad_enabled()
    finally:
        autograd.set_grad_enabled(True)
    with pytest.raises(TypeError):
        autograd.set_grad_enabled("no")


def test_inference_mode_records_nothing_and_inference_mode_false_changes_nothing():
    x = _leaf()
    with autograd.inference_mode():
        assert not (x * 2).requires_grad
    with autograd.inference_mode(False):
        assert (x * 2).requires_grad


def test_the_previous_mode_is_restored_when_the_block_raises():
    with pytest.raises(ValueError):
        with autograd.no_grad():
            raise ValueError("boom")
    assert autograd.is_grad_enabled()


def test_no_grad_in_one_thread_does_not_affect_another():
    x = _leaf()
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def worker():
        with autograd.no_grad():
            inside.set()
            checked.wait(10)
            seen["worker"] = (x * 2).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(10)
    seen["main"] = (x * 2).requires_grad  # the worker is inside no_grad right now
    checked.set()
    t.join(10)
    assert seen == {"main": True, "worker": False}


def test_each_thread_starts_with_grad_enabled():
    result = []
    with autograd.no_grad():
        t = threading.Thread(target=lambda: result.append(autograd.is_grad_enabled()))
        t.start()
        t.join(10)
    assert result == [True]


def test_backward_works_on_a_graph_built_before_no_grad():
    x = _leaf()
    y = (x * x).sum()
    with autograd.no_grad():
        y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
