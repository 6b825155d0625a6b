"""nn.utils: gradient clipping, parameter/vector conversion, training diagnostics."""
import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn.utils import (TrainingDiagnostics, clip_grad_norm_, clip_grad_value_,
                      parameters_to_vector, vector_to_parameters)


def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nn.Parameter(autograd.zeros(*np.shape(g)))
        p.grad = autograd.tensor(np.asarray(g, np.float32))
        params.append(p)
    return params


def test_clip_grad_norm_returns_total_norm_and_scales_to_max_norm():
    params = _params_with_grads([[3.0, 0.0], [[0.0], [4.0]]])
    total = clip_grad_norm_(params, max_norm=1.0)
    assert isinstance(total, autograd.Tensor) and total.dtype == np.float32
    assert total.item() == pytest.approx(5.0)
    new_norm = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in params))
    assert new_norm == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(params[0].grad.numpy(), [0.6, 0.0], rtol=1e-5)


def test_clip_grad_norm_leaves_small_gradients_and_supports_other_norms():
    params = _params_with_grads([[0.1, -0.2]])
    assert clip_grad_norm_(params, 10.0).item() == pytest.approx(math.sqrt(0.05))
    np.testing.assert_allclose(params[0].grad.numpy(), [0.1, -0.2])
    params = _params_with_grads([[1.0, -3.0], [2.0]])
    assert clip_grad_norm_(params, 1.0, norm_type=math.inf).item() == pytest.approx(3.0)
    np.testing.assert_allclose(params[0].grad.numpy(), [1 / 3, -1.0], rtol=1e-5)
    params = _params_with_grads([[1.0, -3.0], [2.0]])
    assert clip_grad_norm_(params, 100.0, norm_type=1).item() == pytest.approx(6.0)


def test_clip_grad_norm_nonfinite():
    params = _params_with_grads([[1.0, float("inf")]])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(params, 1.0).item())


def test_clip_grad_norm_does_not_overflow_for_huge_float32_gradients():
    params = _params_with_grads([[3e30, 4e30]])
    total = clip_grad_norm_(params, 1.0)
    assert total.item() == pytest.approx(5e30, rel=1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), [0.6, 0.8], rtol=1e-5)


def test_clip_grad_value_():
    params = _params_with_grads([[-3.0, 0.5, 2.0]])
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), [-1.0, 0.5, 1.0])


def test_parameters_to_vector_and_back_round_trip():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (3 * 2 + 2 + 2 + 1,)
    np.testing.assert_array_equal(vec.detach().numpy()[:6], model[0].weight._data.reshape(-1))
    vector_to_parameters(autograd.arange(11, dtype=autograd.float32), model.parameters())
    np.testing.assert_array_equal(model[0].weight._data, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(model[1].bias._data, [10])
    with pytest.raises(ValueError, match="11"):
        vector_to_parameters(autograd.zeros(3), model.parameters())
    with pytest.raises(TypeError):
        vector_to_parameters(np.zeros(11), model.parameters())


def test_parameters_to_vector_is_differentiable():
    lin = nn.Linear(2, 2)
    (parameters_to_vector(lin.parameters()) ** 2).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), 2 * lin.weight._data, rtol=1e-6)


# ---------------------------------------------------------------------- diagnostics
def _tiny_run(diag_kwargs=None, steps=3, lr=0.1):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = autograd.randn(16, 4), autograd.randint(0, 3, (16,))
    diag = TrainingDiagnostics(model, **(diag_kwargs or {}))
    with diag:
        for _ in range(steps):
            loss = F.cross_entropy(model(x), y)
            model.zero_grad()
            loss.backward()
            with autograd.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            diag.record_update()
    return model, diag, x


def test_diagnostics_record_activation_statistics_per_layer():
    model, diag, x = _tiny_run()
    acts = [r for r in diag.rows if r["kind"] == "activation"]
    assert {r["name"] for r in acts} == {"0", "1", "2"} and len(acts) == 9
    with autograd.no_grad():
        h = model[1](model[0](x)).numpy()
    last_relu = [r for r in acts if r["name"] == "1"][-1]
    # the hook saw the pre-update weights of the last step; recompute at that state is
    # not possible after the update, so check the statistics are consistent instead
    assert last_relu["std"] > 0 and last_relu["mean"] >= 0
    assert 0.0 <= last_relu["dead_fraction"] <= 1.0
    assert abs(last_relu["mean"] - h.mean()) < 0.5


def test_diagnostics_dead_fraction_counts_units_zero_for_the_whole_batch():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    with autograd.no_grad():
        model[0].weight._data[...] = [[1, 0], [-1, 0], [0, 0], [0, 1]]
        model[0].bias._data[...] = [0, 0, -1, 0]
    x = autograd.tensor([[1.0, 1.0], [2.0, -1.0]])  # unit 1 and 2 never fire
    with TrainingDiagnostics(model) as diag:
        model(x)
    relu = [r for r in diag.rows if r["name"] == "1"][0]
    assert relu["dead_fraction"] == 0.5
    np.testing.assert_allclose(relu["mean"], np.maximum(
        x.numpy() @ model[0].weight._data.T + model[0].bias._data, 0).mean())


def test_diagnostics_gradient_norms_and_update_ratios_match_numpy():
    model = nn.Linear(3, 2)
    x = autograd.randn(5, 3)
    with TrainingDiagnostics(model) as diag:
        before = model.weight._data.copy()
        loss = (model(x) ** 2).mean()
        loss.backward()
        grad = model.weight.grad.numpy().copy()
        with autograd.no_grad():
            model.weight -= 0.5 * model.weight.grad
        rows = diag.record_update()
    g_row = [r for r in diag.rows if r["kind"] == "gradient" and r["name"] == "weight"][0]
    assert g_row["grad_norm"] == pytest.approx(np.linalg.norm(grad), rel=1e-5)
    u_row = [r for r in rows if r["name"] == "weight"][0]
    assert u_row["update_ratio"] == pytest.approx(
        np.linalg.norm(0.5 * grad) / np.linalg.norm(before), rel=1e-4)
    bias_row = [r for r in rows if r["name"] == "bias"][0]
    assert bias_row["update_norm"] == 0.0


def test_diagnostics_detach_removes_every_hook_and_format_table_lists_layers():
    model, diag, x = _tiny_run(steps=2)
    n = len(diag.rows)
    model(x).sum().backward()
    assert len(diag.rows) == n  # detached by the with block
    assert not model._forward_hooks and not model[0]._forward_hooks
    table = diag.format_table()
    lines = table.splitlines()
    assert lines[0] == "step 2"
    assert "layer" in lines[1] and "update/weight" in lines[1]
    assert [line.split()[0] for line in lines[3:]] == ["0", "1", "2"]
    latest = {r["name"]: r for r in diag.latest()}
    assert latest["0"]["grad_norm"] > 0 and latest["0"]["update_ratio"] > 0
    assert latest["1"]["grad_norm"] is None and latest["1"]["dead_fraction"] is not None
    series = diag.history("0.weight", "update_ratio")
    assert [s for s, _ in series] == [1, 2]


def test_diagnostics_output_gradients_and_every():
    model, diag, _ = _tiny_run({"track_output_grads": True, "every": 2}, steps=4)
    out_rows = [r for r in diag.rows if r["kind"] == "output_grad"]
    assert {r["step"] for r in out_rows} == {1, 3}
    assert all(r["grad_norm"] > 0 for r in out_rows if r["name"] == "2")
    with pytest.raises(ValueError, match="no submodule"):
        TrainingDiagnostics(model, modules=["9"])
