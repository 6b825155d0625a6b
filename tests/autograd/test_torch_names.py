"""The names PyTorch scripts reach through `torch.` resolve with `import autograd as torch`."""
import numpy as np
import pytest

import autograd as torch
import nn
import optim
from autograd import data


def test_nn_optim_and_autograd_are_reachable_as_attributes():
    assert torch.nn is nn and torch.nn.functional is nn.functional
    assert torch.optim is optim and torch.optim.lr_scheduler is optim.lr_scheduler
    assert torch.autograd is torch and torch.autograd.grad is torch.grad
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        torch.not_a_name


def test_utils_data_is_the_data_module():
    from autograd.utils.data import DataLoader, TensorDataset
    assert DataLoader is data.DataLoader and TensorDataset is data.TensorDataset
    assert torch.utils.data.DataLoader is data.DataLoader


def test_a_device_agnostic_script_runs_on_the_cpu():
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert dev == "cpu" and dev.type == "cpu" and dev.index is None and repr(dev) == \
        "device(type='cpu')"
    torch.backends.cudnn.benchmark = True
    torch.cuda.manual_seed_all(0)
    model = torch.nn.Linear(3, 2).to(dev)
    x = torch.randn(4, 3).to(dev)
    assert x.device == dev and isinstance(x.device, torch.device)
    assert model(x).shape == (4, 2)


def test_a_gpu_device_can_be_named_but_not_used():
    gpu = torch.device("cuda", 1)
    assert gpu.type == "cuda" and gpu.index == 1 and str(gpu) == "cuda:1"
    with pytest.raises(RuntimeError, match="cuda"):
        torch.ones(2).to(gpu)
    with pytest.raises(RuntimeError, match="cuda"):
        torch.nn.Linear(2, 2).to(gpu)
    with pytest.raises(RuntimeError, match="device type"):
        torch.device("tpu")
    with pytest.raises(TypeError, match="int"):
        torch.device(3)


def test_a_ported_gradient_call_through_torch_autograd():
    x = torch.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    g, = torch.autograd.grad((x ** 3).sum(), x)
    np.testing.assert_allclose(g.numpy(), 3 * np.array([1.0, 2.0, 3.0]) ** 2)


def test_dtype_and_tensor_queries():
    assert torch.finfo(torch.float32).eps == np.finfo(np.float32).eps
    assert torch.finfo().bits == 32 and torch.iinfo(torch.int64).max == 2 ** 63 - 1
    with pytest.raises(TypeError, match="floating point dtype, got int64"):
        torch.finfo(torch.int64)
    x = torch.zeros(2, 3)
    assert torch.numel(x) == 6 and torch.is_tensor(x) and not torch.is_tensor(np.zeros(2))
    assert torch.is_floating_point(x) and not torch.is_floating_point(x.long())
    assert torch.broadcast_shapes((2, 1), (1, 3)) == (2, 3) and torch.Size([2, 3]) == (2, 3)
    with pytest.raises(ValueError, match=r"\(2,\), \(3,\) cannot be broadcast"):
        torch.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        x.cuda()
