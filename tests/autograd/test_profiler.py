"""autograd.profiler: per-op counts, the rows outside op bodies, nesting, and the environment
switch."""
import os
import subprocess
import sys

import numpy as np

import autograd
import nn
import optim
from autograd import profiler
from custom_functions import Cube
from autograd.ops.elementwise import Mul


def _leaf(n=3):
    return autograd.tensor(np.linspace(0.5, 1.5, n), requires_grad=True)


def test_counts_every_forward_and_backward_per_op():
    x = _leaf()
    with profiler.profile() as prof:
        y = (x * 2.0 * 3.0).exp().sum()
        y.backward()
    rows = {r[0]: r[1:] for r in prof.rows()}
    assert rows["Mul"][0] == 2 and rows["Mul"][2] == 2
    assert rows["Exp"][0] == 1 and rows["Exp"][2] == 1
    assert rows["Sum"][0] == 1 and rows["Sum"][2] == 1
    assert all(seconds >= 0 for r in prof.rows() for seconds in (r[2], r[4]))


def test_rows_outside_op_bodies_count_recorded_ops_passes_and_steps():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = autograd.randn(4, 3)
    with profiler.profile() as prof:
        for _ in range(3):
            opt.zero_grad()
            loss = model(x).pow(2).mean()  # linear, pow, mean: three recorded ops
            loss.backward()
            opt.step()
    outside = {name: (calls, seconds) for name, calls, seconds in prof.outside_rows()}
    assert outside["<record>"][0] == 9
    assert outside["<engine>"][0] == 3
    assert outside["<optimizer>"][0] == 3
    assert all(seconds >= 0 for _, seconds in outside.values())
    summary = prof.summary()
    assert summary["record_calls"] == 9 and summary["engine_calls"] == 3
    assert summary["optimizer_calls"] == 3
    assert summary["ops"]["Linear"]["forward_calls"] == 3
    assert summary["ops"]["Linear"]["backward_calls"] == 3
    assert "| <engine> | 3 |" in prof.table()


def test_ops_inside_a_user_forward_or_a_recorded_backward_are_not_counted_as_recording():
    x = _leaf()
    with profiler.profile() as prof:
        y = Cube.apply(x).sum()
        gx, = autograd.grad(y, x, create_graph=True)  # backward formulas record ops
    outside = {name: calls for name, calls, _ in prof.outside_rows()}
    assert outside["<record>"] == 2  # Cube and Sum; the Muls inside Cube's forward are not
    np.testing.assert_allclose(gx.detach().numpy(), 3 * np.linspace(0.5, 1.5, 3) ** 2)


def test_leaving_the_profile_restores_every_patched_function():
    forward, backward = Mul.__dict__["forward"], Mul.__dict__["backward"]
    run, apply = autograd.engine._run, autograd.function.Op.__dict__["apply"]
    step = optim.Optimizer.__dict__["step"]
    with profiler.profile():
        assert Mul.__dict__["forward"] is not forward
        assert autograd.engine._run is not run
    assert Mul.__dict__["forward"] is forward and Mul.__dict__["backward"] is backward
    assert autograd.engine._run is run
    assert autograd.function.Op.__dict__["apply"] is apply
    assert optim.Optimizer.__dict__["step"] is step


def test_a_disabled_profile_patches_nothing():
    forward = Mul.__dict__["forward"]
    with profiler.profile(enabled=False) as prof:
        assert Mul.__dict__["forward"] is forward
        (_leaf() * 2.0).sum().backward()
    assert prof.rows() == []


_SCRIPT = ("import autograd\n"
           "x = autograd.ones(3, requires_grad=True)\n"
           "(x * 2.0).sum().backward()\n")


def _run_with(value, tmp_path):
    env = dict(os.environ, AUTOGRAD_PROFILE=value)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", _SCRIPT], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=True)


def test_the_environment_switch_prints_the_table_to_stderr(tmp_path):
    done = _run_with("1", tmp_path)
    assert "| Mul | 1 |" in done.stderr and "| <engine> | 1 |" in done.stderr
    assert "Mul" not in done.stdout


def test_the_environment_switch_writes_the_table_to_a_file(tmp_path):
    target = tmp_path / "profile.md"
    done = _run_with(str(target), tmp_path)
    text = target.read_text()
    assert "| Mul | 1 |" in text and "| <record> | 2 |" in text
    assert "Mul" not in done.stderr
