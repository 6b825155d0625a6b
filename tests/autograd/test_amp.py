"""autocast (accepted, changes nothing) and GradScaler (real dynamic loss scaling)."""
import numpy as np
import pytest

import autograd as torch
import nn
import optim


def _model_and_batch():
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    return model, torch.randn(4, 3), torch.randn(4, 2)


def test_autocast_is_a_context_manager_and_decorator_that_changes_nothing():
    model, x, _ = _model_and_batch()
    plain = model(x)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        inside = model(x)
    assert inside.dtype == torch.float32
    np.testing.assert_array_equal(inside.detach().numpy(), plain.detach().numpy())

    @torch.amp.autocast("cpu")
    def run(v):
        return model(v)
    assert run(x).dtype == torch.float32
    with torch.cuda.amp.autocast(enabled=False):
        pass
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        torch.autocast("tpu")


def test_unavailable_dtypes_can_be_named_but_not_used():
    assert repr(torch.bfloat16) == "autograd.bfloat16"
    with pytest.raises(TypeError, match="bfloat16 is not supported"):
        torch.zeros(2, dtype=torch.bfloat16)
    with pytest.raises(TypeError, match="complex64 is not supported"):
        torch.ones(2).to(torch.complex64)


def test_grad_scaler_steps_like_an_unscaled_loop():
    model, x, y = _model_and_batch()
    twin = nn.Linear(3, 2)
    twin.load_state_dict(model.state_dict())
    opt, twin_opt = optim.SGD(model.parameters(), lr=0.1), optim.SGD(twin.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    for _ in range(3):
        opt.zero_grad()
        scaled = scaler.scale(nn.functional.mse_loss(model(x), y))
        scaled.backward()
        scaler.step(opt)
        scaler.update()
        twin_opt.zero_grad()
        nn.functional.mse_loss(twin(x), y).backward()
        twin_opt.step()
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    assert scaler.get_scale() == 1024.0


def test_grad_scaler_skips_a_step_with_inf_gradients_and_backs_off():
    model, x, y = _model_and_batch()
    opt = optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.cuda.amp.GradScaler(init_scale=8.0, growth_interval=2)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    scaler.scale(nn.functional.mse_loss(model(x), y)).backward()
    model.weight.grad.numpy()[0, 0] = np.inf
    assert scaler.step(opt) is None
    scaler.update()
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), b)  # skipped
    assert scaler.get_scale() == 4.0
    for _ in range(2):  # two clean steps double it again
        opt.zero_grad()
        scaler.scale(nn.functional.mse_loss(model(x), y)).backward()
        scaler.unscale_(opt)
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
    assert scaler.get_scale() == 8.0
    assert scaler.state_dict()["scale"] == 8.0


def test_grad_scaler_misuse_raises():
    model, x, y = _model_and_batch()
    opt = optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu")
    scaler.scale(nn.functional.mse_loss(model(x), y)).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
    with pytest.raises(ValueError, match="growth factor"):
        torch.amp.GradScaler(growth_factor=0.5)
    disabled = torch.amp.GradScaler(enabled=False)
    loss = nn.functional.mse_loss(model(x), y)
    assert disabled.scale(loss) is loss and disabled.get_scale() == 1.0
