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
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match the size of "
                                           r"tensor b \(3\) .*\(2,\) and \(3,\)"):
        torch.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        x.cuda()


# ---------------------------------------------------------------------- module paths
def test_submodule_paths_resolve_to_the_real_modules():
    import importlib
    import sys
    import nn.functional
    import optim.lr_scheduler
    aliased = {"autograd.nn": nn, "autograd.nn.functional": nn.functional,
               "autograd.optim": optim, "autograd.optim.lr_scheduler": optim.lr_scheduler,
               "autograd.autograd": torch, "autograd.autograd.functional": torch.functional}
    for name, real in aliased.items():
        assert importlib.import_module(name) is real, name
        assert sys.modules[name] is real
    # the real modules keep their own identity (no second copy, names and specs untouched)
    assert nn.functional.__name__ == "nn.functional" and nn.__spec__.name == "nn"
    assert optim.lr_scheduler.__spec__.name == "optim.lr_scheduler"
    from autograd.nn import Linear
    from autograd.autograd import Function
    assert Linear is nn.Linear and Function is torch.Function


def test_a_ported_import_block_runs():
    namespace = {}
    exec("import autograd as torch\n"
         "import autograd.nn as nn\n"
         "import autograd.nn.functional as F\n"
         "import autograd.optim as optim\n"
         "from autograd.optim.lr_scheduler import StepLR\n"
         "from autograd.utils.data import DataLoader, TensorDataset\n"
         "model = nn.Linear(3, 1)\n"
         "opt = optim.SGD(model.parameters(), lr=0.1)\n"
         "sched = StepLR(opt, step_size=1)\n"
         "loss = F.mse_loss(model(torch.ones(2, 3)), torch.zeros(2, 1))\n"
         "loss.backward(); opt.step(); sched.step()\n", namespace)
    assert namespace["opt"].param_groups[0]["lr"] == pytest.approx(0.01)


def test_unknown_aliased_submodules_fail_to_import():
    import importlib
    with pytest.raises(ImportError, match="nothing_here"):
        importlib.import_module("autograd.nn.nothing_here")
    with pytest.raises(ImportError, match="nothing_here"):
        importlib.import_module("autograd.nothing_here")


# ---------------------------------------------------------------------- legacy names
def test_legacy_tensor_types_build_check_and_cast():
    x = torch.FloatTensor([1, 2])
    assert x.dtype == torch.float32 and x.tolist() == [1.0, 2.0]
    assert torch.LongTensor([1, 2]).dtype == torch.int64
    assert torch.DoubleTensor(2, 3).shape == (2, 3) and torch.DoubleTensor(2, 3).dtype == \
        torch.float64
    assert isinstance(x, torch.FloatTensor) and not isinstance(x, torch.DoubleTensor)
    assert x.type() == "autograd.FloatTensor"
    assert x.type(torch.DoubleTensor).dtype == torch.float64
    assert x.type("torch.LongTensor").dtype == torch.int64
    with pytest.raises(TypeError, match="dtype"):
        torch.FloatTensor([1.0], dtype=torch.float64)


def test_variable_is_a_leaf_sharing_the_data():
    t = torch.tensor([1.0, 2.0])
    v = torch.Variable(t, requires_grad=True)
    assert v.is_leaf and v.requires_grad and not t.requires_grad
    (v * v).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [2.0, 4.0])
    with torch.no_grad():
        v.add_(1.0)
    assert t.tolist() == [2.0, 3.0]  # one storage
    with pytest.raises(TypeError, match="list"):
        torch.autograd.Variable([1.0])


def test_constants():
    import math
    assert torch.pi == math.pi and torch.e == math.e and torch.inf == math.inf
    assert math.isnan(torch.nan) and torch.newaxis is None
    assert torch.zeros(3)[:, torch.newaxis].shape == (3, 1)


# ---------------------------------------------------------------------- process settings
def test_process_settings_are_accepted_and_answered_back():
    n = torch.get_num_threads()
    assert isinstance(n, int) and n >= 1
    torch.set_num_threads(n)
    assert torch.get_num_threads() == n
    with pytest.raises(RuntimeError, match="positive"):
        torch.set_num_threads(0)
    torch.set_float32_matmul_precision("high")
    assert torch.get_float32_matmul_precision() == "high"
    torch.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="precision"):
        torch.set_float32_matmul_precision("low")
    torch.use_deterministic_algorithms(True)
    assert torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(False)
    torch.set_default_device("cpu")
    assert torch.get_default_device() == "cpu"
    with pytest.raises(RuntimeError, match="cuda"):
        torch.set_default_device("cuda")


def test_compile_returns_the_model_unchanged():
    model = nn.Linear(2, 2)
    assert torch.compile(model) is model
    assert torch.compile(mode="reduce-overhead")(abs) is abs

    @torch.compile
    def f(x):
        return x * 2
    assert f(torch.ones(1)).tolist() == [2.0]


# ---------------------------------------------------------------------- testing.assert_close
def test_assert_close_passes_within_the_dtype_tolerances():
    torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-6]))
    torch.testing.assert_close(torch.tensor([1.0, float("inf")]),
                               torch.tensor([1.0, float("inf")]))
    torch.testing.assert_close(torch.tensor([float("nan")]), torch.tensor([float("nan")]),
                               equal_nan=True)
    torch.testing.assert_close({"a": [1.0, torch.ones(2)]}, {"a": [1.0, torch.ones(2)]})
    torch.testing.assert_close(torch.tensor([1.0]), torch.tensor([1.1]), rtol=0.2, atol=0.0)


def test_assert_close_reports_what_differs():
    with pytest.raises(AssertionError, match=r"Mismatched elements: 1 / 3 \(33.3%\)"
                                             r"\nGreatest absolute difference: 0.5 at index "
                                             r"\(1,\)"):
        torch.testing.assert_close(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.0]))
    with pytest.raises(AssertionError, match="'dtype' do not match: float32 != float64"):
        torch.testing.assert_close(torch.ones(2), torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(torch.ones(2), torch.ones(2, dtype=torch.float64),
                               check_dtype=False)
    with pytest.raises(AssertionError, match=r"'shape' do not match: \(2,\) != \(3,\)"):
        torch.testing.assert_close(torch.ones(2), torch.ones(3))
    with pytest.raises(AssertionError, match=r"(?s)Scalars are not close!.*item \['a'\]\[0\]"):
        torch.testing.assert_close({"a": [torch.tensor(1.0)]}, {"a": [torch.tensor(2.0)]})
    with pytest.raises(AssertionError, match="Tensor-likes are not close"):
        torch.testing.assert_close(torch.tensor([float("nan")]), torch.tensor([float("nan")]))
    with pytest.raises(AssertionError, match="^custom$"):
        torch.testing.assert_close(torch.ones(1), torch.zeros(1), msg="custom")


def test_assert_close_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'rtol' and 'atol'"):
        torch.testing.assert_close(torch.ones(1), torch.ones(1), rtol=1e-3)
    with pytest.raises(TypeError, match="Tensor and float"):
        torch.testing.assert_close(torch.ones(()), 1.0)


# ---------------------------------------------------------------------- out=
def test_out_argument_writes_into_the_given_tensor():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = torch.empty(2, 2)
    assert torch.matmul(a, a, out=out) is out
    np.testing.assert_array_equal(out.numpy(), a.numpy() @ a.numpy())
    small = torch.zeros(1)
    torch.add(a, 1, out=small)  # resized, as PyTorch does
    assert small.shape == (2, 2) and small.tolist() == [[2.0, 3.0], [4.0, 5.0]]
    values, indices = torch.empty(2), torch.empty(2, dtype=torch.int64)
    res = torch.max(a, 1, out=(values, indices))
    assert res[0] is values and values.tolist() == [2.0, 4.0] and indices.tolist() == [1, 1]
    into_float64 = torch.empty(2, dtype=torch.float64)
    torch.sum(a, 0, out=into_float64)
    assert into_float64.dtype == torch.float64 and into_float64.tolist() == [4.0, 6.0]
    torch.zeros(3, out=into_float64)
    assert into_float64.tolist() == [0.0, 0.0, 0.0]


def test_out_argument_refuses_what_pytorch_refuses():
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        torch.mul(w, 2, out=torch.empty(2))
    with torch.no_grad():
        torch.mul(w, 2, out=torch.empty(2))  # allowed without grad mode
    with pytest.raises(RuntimeError, match="float32 can't be cast to the desired output type "
                                           "int64"):
        torch.exp(torch.ones(2), out=torch.empty(2, dtype=torch.int64))
    with pytest.raises(TypeError, match="must be Tensor, not ndarray"):
        torch.exp(torch.ones(2), out=np.empty(2))


def test_a_write_through_out_is_an_in_place_write():
    x = torch.ones(2, requires_grad=True)
    buf = torch.ones(2)
    y = x * buf  # saves buf for x's gradient
    torch.zeros(2, out=buf)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---------------------------------------------------------------------- printing
def test_set_printoptions_changes_how_tensors_print():
    x = torch.tensor([1.23456, 2.0])
    try:
        torch.set_printoptions(precision=2)
        assert repr(x) == "tensor([1.23, 2.00])"
        torch.set_printoptions(sci_mode=True)
        assert repr(x) == "tensor([1.23e+00, 2.00e+00])"
        torch.set_printoptions(threshold=4, edgeitems=1, sci_mode=False)
        assert repr(torch.arange(10)) == "tensor([0, ..., 9])"
        torch.set_printoptions(profile="full")
        assert "..." not in repr(torch.arange(2000))
        with pytest.raises(ValueError, match="unknown print profile 'long'"):
            torch.set_printoptions(profile="long")
    finally:
        torch.set_printoptions(profile="default")
    assert repr(x) == "tensor([1.2346, 2.0000])"
    assert repr(torch.arange(2000)).count("...") == 1


# ---------------------------------------------------------------------- memory layout
def test_contiguous_copies_only_what_is_not_contiguous():
    x = torch.randn(2, 3, requires_grad=True)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert not x.t().is_contiguous() and y.is_contiguous() and y.shape == (3, 2)
    (y * torch.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_memory_format_and_layout_arguments_are_accepted():
    x = torch.randn(2, 3)
    for like in (torch.zeros_like, torch.ones_like, torch.empty_like, torch.rand_like,
                 torch.randn_like):
        assert like(x, memory_format=torch.preserve_format, layout=torch.strided).shape == (2, 3)
    assert x.clone(memory_format=torch.contiguous_format).shape == (2, 3)
    assert x.contiguous(memory_format=torch.channels_last) is x
