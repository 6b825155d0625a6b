"""Bad input and misuse: each case asserts the exception type and that the message names what
is wrong (the shapes, dtypes, dims, indices, keys or values involved)."""
import re

import numpy as np
import pytest

import autograd as A
import nn
import nn.functional as F
import optim
from autograd.data import DataLoader, TensorDataset


def raises(exc, *fragments):
    """pytest.raises(exc) whose message must contain every fragment (plain text)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(f)})" for f in fragments))


A23 = A.randn(2, 3, requires_grad=True)
B4 = A.randn(4, requires_grad=True)

# ---------------------------------------------------------------------- shapes
# Elementwise ops raise PyTorch's RuntimeError for shapes that do not broadcast, with both
# shapes added to its message.
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "maximum": A.maximum,
    "minimum": A.minimum, "where": lambda a, b: A.where(A.ones(2, 3) > 0, a, b),
    "lerp": lambda a, b: A.lerp(a, b, 0.5), "eq": A.eq, "lt": A.lt,
    "add_": lambda a, b: (a * 1.0).add_(b),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_elementwise_shape_mismatch_names_both_shapes(name):
    with pytest.raises(RuntimeError, match=r"size of tensor a \([34]\) must match the size "
                                           r"of tensor b \([34]\) at non-singleton") as info:
        BINARY[name](A23, B4)
    msg = str(info.value).replace(" ", "")
    assert "(2,3)" in msg and "(4,)" in msg, msg


@pytest.mark.parametrize("call, fragments", [
    (lambda: A23 @ A.randn(4, 2), ["matmul", "(2, 3)", "(4, 2)"]),
    (lambda: A.randn(2, 2, 3) @ A.randn(3, 3, 2), ["matmul", "(2, 2, 3)", "(3, 3, 2)"]),
    (lambda: A.randn(3) @ A.randn(4), ["matmul", "(3,)", "(4,)"]),
    (lambda: A.mm(A23, A.randn(3)), ["mm", "(2, 3)", "(3,)"]),
    (lambda: A.bmm(A.randn(2, 2, 3), A.randn(3, 3, 2)), ["bmm", "(2, 2, 3)", "(3, 3, 2)"]),
    (lambda: A.dot(A.randn(3), A.randn(4)), ["dot", "3", "4"]),
    (lambda: A.mv(A23, A.randn(4)), ["matmul", "(2, 3)", "(4,)"]),
    (lambda: A.einsum("ij,jk->ik", A23, A.randn(4, 2)), ["einsum", "j", "(4, 2)"]),
], ids=["matmul", "matmul_batch", "matmul_1d", "mm", "bmm", "dot", "mv", "einsum"])
def test_matrix_product_shape_mismatch(call, fragments):
    with raises(RuntimeError, *fragments):
        call()


@pytest.mark.parametrize("call, exc, fragments", [
    (lambda: A.cat([A23, A.randn(2, 4)], 0), RuntimeError, ["cat", "(2, 3)", "(2, 4)"]),
    (lambda: A.cat([A23, A.randn(3)]), RuntimeError, ["cat", "(2, 3)", "(3,)"]),
    (lambda: A.cat([]), RuntimeError, ["cat", "non-empty"]),
    (lambda: A.stack([A23, A.randn(3, 2)]), RuntimeError, ["stack", "(2, 3)", "(3, 2)"]),
    (lambda: A.stack([A23, A.randn(2, 3), A.randn(2)], 1), RuntimeError, ["stack", "(2,)"]),
    (lambda: A23.reshape(4, 2), RuntimeError, ["[4, 2]", "6"]),
    (lambda: A23.expand(3, 3), RuntimeError, ["(2, 3)", "(3, 3)"]),
    (lambda: A.split(A.randn(5), [2, 2]), RuntimeError, ["5", "[2, 2]"]),
], ids=["cat", "cat_ndim", "cat_empty", "stack", "stack_three", "reshape", "expand", "split"])
def test_joining_and_reshaping_mismatches(call, exc, fragments):
    with raises(exc, *fragments):
        call()


@pytest.mark.parametrize("call, exc, fragments", [
    (lambda: F.mse_loss(A23, A.randn(3, 2)), ValueError, ["mse_loss", "(2, 3)", "(3, 2)"]),
    (lambda: F.l1_loss(A23, A.randn(2, 1)), ValueError, ["l1_loss", "(2, 3)", "(2, 1)"]),
    (lambda: F.huber_loss(A23, A.randn(6)), ValueError, ["huber_loss", "(2, 3)", "(6,)"]),
    (lambda: F.binary_cross_entropy(A.sigmoid(A23), A.rand(3, 2)), ValueError,
     ["binary_cross_entropy", "(2, 3)", "(3, 2)"]),
    (lambda: F.binary_cross_entropy_with_logits(A23, A.rand(2)), ValueError,
     ["binary_cross_entropy_with_logits", "(2, 3)", "(2,)"]),
    (lambda: F.cross_entropy(A23, A.tensor([0, 1, 2])), ValueError,
     ["cross_entropy", "(3,)", "(2, 3)"]),
    (lambda: F.cross_entropy(A23, A.rand(3, 2)), ValueError, ["cross_entropy", "(2, 3)", "(3, 2)"]),
    (lambda: F.cross_entropy(A23, A.tensor([0, 1]), weight=A.ones(4)), ValueError,
     ["cross_entropy", "(4,)", "3 classes"]),
    (lambda: F.nll_loss(A23, A.tensor([0])), ValueError, ["nll_loss", "(1,)", "(2, 3)"]),
    (lambda: F.kl_div(A23, A.rand(3)), ValueError, ["kl_div", "(2, 3)", "(3,)"]),
    (lambda: F.gaussian_nll_loss(A23, A.randn(2, 3), A.ones(3, 2)), ValueError,
     ["gaussian_nll_loss", "(3, 2)", "(2, 3)"]),
    (lambda: F.cosine_embedding_loss(A23, A23, A.ones(3)), ValueError,
     ["cosine_embedding_loss", "(3,)", "(2, 3)"]),
    (lambda: F.margin_ranking_loss(A.randn(3), A.randn(4), A.ones(3)), ValueError,
     ["margin_ranking_loss", "(3,)", "(4,)"]),
    (lambda: F.triplet_margin_loss(A23, A23, A.randn(2, 4)), ValueError,
     ["triplet_margin_loss", "(2, 3)", "(2, 4)"]),
], ids=["mse", "l1", "huber", "bce", "bce_logits", "ce_index", "ce_prob", "ce_weight", "nll",
        "kl_div", "gaussian_nll", "cosine_embedding", "margin_ranking", "triplet"])
def test_loss_shape_mismatches(call, exc, fragments):
    with raises(exc, *fragments):
        call()


@pytest.mark.parametrize("call, fragments", [
    (lambda: nn.Linear(4, 2)(A23), ["Linear", "(2, 3)", "4"]),
    (lambda: F.linear(A23, A.randn(2, 4)), ["linear", "(2, 3)", "(2, 4)"]),
    (lambda: F.linear(A23, A.randn(2, 3), A.randn(3)), ["linear", "(3,)", "(2, 3)"]),
    (lambda: nn.Bilinear(3, 3, 2)(A23, A.randn(2, 4)), ["(2, 4)"]),
], ids=["Linear", "linear", "linear_bias", "Bilinear"])
def test_linear_layers_reject_mismatched_inputs(call, fragments):
    with raises(RuntimeError, *fragments):
        call()


@pytest.mark.parametrize("call, exc, fragments", [
    (lambda: nn.LayerNorm(4)(A23), RuntimeError, ["layer_norm", "4", "(2, 3)"]),
    (lambda: nn.BatchNorm1d(4)(A23), ValueError, ["BatchNorm1d", "4", "(2, 3)"]),
    (lambda: nn.BatchNorm1d(3)(A.randn(2, 3, 4, 5)), ValueError, ["BatchNorm1d", "4D"]),
    (lambda: nn.BatchNorm1d(3).train()(A.randn(1, 3)), ValueError, ["(1, 3)"]),
    (lambda: nn.GroupNorm(2, 4)(A.randn(2, 3, 5)), ValueError, ["GroupNorm", "4", "(2, 3, 5)"]),
    (lambda: F.group_norm(A.randn(2, 3, 5), 2), ValueError, ["group_norm", "3", "2"]),
    (lambda: nn.RMSNorm(5)(A23), RuntimeError, ["rms_norm", "5", "(2, 3)"]),
], ids=["LayerNorm", "BatchNorm_channels", "BatchNorm_ndim", "BatchNorm_one_sample",
        "GroupNorm", "group_norm", "RMSNorm"])
def test_normalisation_layers_reject_mismatched_inputs(call, exc, fragments):
    with raises(exc, *fragments):
        call()


# ---------------------------------------------------------------------- dims and indices
@pytest.mark.parametrize("call, op, bad", [
    (lambda: A23.sum(2), "sum", "2"), (lambda: A23.mean(-3), "mean", "-3"),
    (lambda: F.softmax(A23, 2), "softmax", "2"), (lambda: F.log_softmax(A23, -3), "log_softmax", "-3"),
    (lambda: A23.transpose(0, 5), "transpose", "5"), (lambda: A.cat([A23, A23], 2), "cat", "2"),
    (lambda: A23.unsqueeze(4), "unsqueeze", "4"), (lambda: A23.max(3), "max", "3"),
    (lambda: A23.argmax(2), "argmax", "2"), (lambda: A.gather(A23, 2, A.tensor([[0]])), "gather", "2"),
    (lambda: A23.cumsum(2), "cumsum", "2"), (lambda: A23.var(2), "var", "2"),
    (lambda: A.logsumexp(A23, 5), "logsumexp", "5"), (lambda: A23.flip(2), "flip", "2"),
    (lambda: A23.squeeze(3), "squeeze", "3"), (lambda: A.stack([A23], 4), "stack", "4"),
    (lambda: A23.norm(2, 3), "norm", "3"), (lambda: A.index_select(A23, 2, A.tensor([0])),
                                            "index_select", "2"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_dim_out_of_range_names_the_op_the_range_and_the_dim(call, op, bad):
    with raises(IndexError, f"{op}()", "out of range", bad):
        call()


@pytest.mark.parametrize("call, fragments", [
    (lambda: A23[5], ["5", "size 2", "(2, 3)"]),
    (lambda: A23[:, -4], ["-4", "size 3", "(2, 3)"]),
    (lambda: A23[[0, 2]], ["2", "size 2", "(2, 3)"]),
    (lambda: A23[A.tensor([0, 7])], ["7", "(2, 3)"]),
    (lambda: A23[A.tensor([True, False, True])], ["(2, 3)"]),
    (lambda: A.gather(A23, 1, A.tensor([[0, 3], [1, 1]])), ["gather", "3", "size 3"]),
    (lambda: A.index_select(A23, 0, A.tensor([2])), ["index_select", "2", "size 2"]),
    (lambda: A.take(A23, A.tensor([6])), ["6"]),
    (lambda: A.scatter_add(A23, 1, A.tensor([[4]]), A.ones(1, 1)), ["scatter_add", "4", "3"]),
    (lambda: F.embedding(A.tensor([5]), A.randn(3, 2)), ["embedding", "5", "3"]),
    (lambda: F.cross_entropy(A23, A.tensor([0, 5])), ["cross_entropy", "5", "3 classes"]),
    (lambda: F.nll_loss(A23, A.tensor([-1, 0])), ["nll_loss", "-1"]),
    (lambda: F.one_hot(A.tensor([0, 4]), 3), ["one_hot", "4", "3"]),
], ids=["int", "negative", "list", "tensor", "mask", "gather", "index_select", "take",
        "scatter_add", "embedding", "cross_entropy", "nll_loss", "one_hot"])
def test_index_out_of_bounds_names_the_index(call, fragments):
    with raises((IndexError, RuntimeError), *fragments):
        call()


def test_float_indices_are_rejected():
    with raises(IndexError, "long, int, byte or bool"):
        A23[A.tensor([0.0, 1.0])]


# ---------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("make, dtype", [
    (lambda: A.tensor([1, 2], requires_grad=True), "int64"),
    (lambda: A.tensor([True, False], requires_grad=True), "bool"),
    (lambda: A.arange(3).requires_grad_(), "int64"),
    (lambda: A.zeros(2, dtype=A.int32, requires_grad=True), "int32"),
    (lambda: setattr(A.ones(2, dtype=A.int64), "requires_grad", True), "int64"),
    (lambda: nn.Parameter(A.tensor([1, 2])), "int64"),
], ids=["tensor_int", "tensor_bool", "requires_grad_", "zeros_int32", "setter", "Parameter"])
def test_integer_and_bool_tensors_cannot_require_grad(make, dtype):
    with raises(RuntimeError, "floating point", dtype):
        make()


def test_assigning_a_grad_of_the_wrong_shape_or_dtype():
    x = A.randn(3, requires_grad=True)
    with raises(RuntimeError, "(2,)", "(3,)"):
        x.grad = A.zeros(2)
    with raises(RuntimeError, "float64", "float32"):
        x.grad = A.zeros(3, dtype=A.float64)
    with raises(TypeError, "ndarray"):
        x.grad = np.zeros(3)


# ---------------------------------------------------------------------- graph misuse
def test_backward_twice_through_saved_values_raises():
    x = A.randn(3, requires_grad=True)
    y = A.exp(x).sum()
    y.backward()
    with raises(RuntimeError, "second time", "ExpBackward", "retain_graph"):
        y.backward()


def test_autograd_grad_twice_raises_too():
    x = A.randn(3, requires_grad=True)
    y = (x * x).sum()
    A.grad(y, x)
    with raises(RuntimeError, "second time", "MulBackward"):
        A.grad(y, x)


def test_backward_on_a_non_scalar_without_gradient():
    x = A.randn(3, requires_grad=True)
    with raises(RuntimeError, "scalar", "(3,)"):
        (x * 2).backward()
    with raises(RuntimeError, "(4,)", "(3,)"):
        (x * 2).backward(A.ones(4))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with raises(RuntimeError, "does not require grad"):
        A.ones(2).sum().backward()
    x = A.randn(2, requires_grad=True)
    with raises(RuntimeError, "inputs[0]", "does not require grad"):
        A.grad((x * 2).sum(), A.ones(2))


def test_grad_of_an_unused_input_names_it():
    x, z = A.randn(2, requires_grad=True), A.randn(3, requires_grad=True)
    with raises(RuntimeError, "inputs[1]", "(3,)", "allow_unused"):
        A.grad((x * 2).sum(), [x, z])


@pytest.mark.parametrize("modify, op", [
    (lambda y: y.add_(1.0), "add_"), (lambda y: y.mul_(2.0), "mul_"),
    (lambda y: y.__setitem__(0, 5.0), "setitem"), (lambda y: y.zero_(), "fill_"),
    (lambda y: y.data.add_(1.0), "add_"),
], ids=["add_", "mul_", "setitem", "zero_", "through_data"])
def test_in_place_change_of_a_saved_input_is_caught(modify, op):
    x = A.randn(3, requires_grad=True)
    y = x * 1.0
    z = A.sin(y).sum()
    modify(y)
    with raises(RuntimeError, "modified by an inplace operation", "SinBackward", op):
        z.backward()


def test_in_place_change_through_a_view_is_caught_or_refused():
    x = A.randn(3, requires_grad=True)
    y = x * 1.0
    z = A.sin(y).sum()
    with raises(RuntimeError, "sub_"):
        y[1:].sub_(1.0)   # refused while recording (or caught by the version check below)
        z.backward()


def test_in_place_change_of_a_saved_output_is_caught():
    x = A.randn(3, requires_grad=True)
    y = A.exp(x)
    y.mul_(2.0)
    with raises(RuntimeError, "ExpBackward", "its output", "mul_"):
        y.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad():
    x = A.randn(3, requires_grad=True)
    with raises(RuntimeError, "leaf", "add_", "no_grad"):
        x.add_(1.0)


def test_numpy_of_a_tensor_requiring_grad():
    with raises(RuntimeError, "requires grad", "detach"):
        A.randn(2, requires_grad=True).numpy()


def test_requires_grad_false_on_a_non_leaf():
    with raises(RuntimeError, "leaf", "detach"):
        (A.randn(2, requires_grad=True) * 2).requires_grad_(False)


# ---------------------------------------------------------------------- optimizers
def _p(*shape):
    return A.randn(*shape, requires_grad=True)


def test_optimizer_rejects_a_non_leaf_parameter():
    with raises(ValueError, "non-leaf", "(3,)", "MulBackward"):
        optim.SGD([_p(3) * 2], lr=0.1)


def test_optimizer_rejects_duplicated_parameters():
    p = _p(3)
    with raises(ValueError, "more than once", "(3,)"):
        optim.Adam([p, _p(2), p])
    with raises(ValueError, "more than one parameter group"):
        optim.Adam([{"params": [p]}, {"params": [p]}])
    opt = optim.SGD([p], lr=0.1)
    with raises(ValueError, "more than one parameter group"):
        opt.add_param_group({"params": [p]})


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD([], lr=0.1),
    lambda ps: optim.SGD(ps[0], lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1).add_param_group({"params": {_p(2)}}),
    lambda ps: optim.SGD([np.zeros(2)], lr=0.1),
], ids=["empty", "a_tensor", "a_set_group", "an_array"])
def test_optimizer_rejects_bad_parameter_collections(make):
    with pytest.raises((ValueError, TypeError)) as info:
        make([_p(3)])
    assert any(w in str(info.value) for w in ("empty", "iterable", "ordered", "ndarray"))


@pytest.mark.parametrize("cls, kwargs, fragment", [
    (optim.SGD, dict(lr=-0.1), "-0.1"), (optim.SGD, dict(lr=float("nan")), "nan"),
    (optim.SGD, dict(lr=0.1, momentum=-0.5), "-0.5"),
    (optim.SGD, dict(lr=0.1, weight_decay=-1), "-1"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "momentum=0"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5, nesterov=True), "dampening=0.5"),
    (optim.Adam, dict(lr=-1e-3), "-0.001"), (optim.Adam, dict(betas=(1.0, 0.9)), "1.0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "-0.1"), (optim.Adam, dict(betas=(0.9,)), "(0.9,)"),
    (optim.Adam, dict(eps=-1e-8), "-1e-08"), (optim.AdamW, dict(weight_decay=-0.1), "-0.1"),
    (optim.RMSprop, dict(alpha=-0.5), "-0.5"), (optim.RMSprop, dict(momentum=-1), "-1"),
    (optim.RMSprop, dict(eps=-1.0), "-1.0"), (optim.Adagrad, dict(lr_decay=-1), "-1"),
    (optim.Adagrad, dict(initial_accumulator_value=-2), "-2"),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_invalid_hyperparameters_are_named(cls, kwargs, fragment):
    with raises(ValueError, fragment):
        cls([_p(2)], **kwargs)
    # the same value in a parameter group
    with raises(ValueError, fragment):
        cls([{"params": [_p(2)], **kwargs}], **({"lr": 0.1} if cls is optim.SGD else {}))


def test_optimizer_load_state_dict_with_the_wrong_groups():
    opt = optim.Adam([_p(2), _p(3)])
    with raises(ValueError, "number of parameter groups", "0", "1"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with raises(ValueError, "group 0", "1 saved", "2"):
        opt.load_state_dict({"state": {}, "param_groups": [{"params": [0], "lr": 0.1}]})


# ---------------------------------------------------------------------- load_state_dict
def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def test_load_state_dict_missing_keys_are_listed():
    m = _model()
    sd = m.state_dict()
    del sd["0.bias"], sd["1.running_var"]
    before = m.state_dict()
    with raises(RuntimeError, "Missing key(s)", '"0.bias"', '"1.running_var"'):
        m.load_state_dict(sd)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy())   # nothing was loaded


def test_load_state_dict_unexpected_keys_are_listed():
    m = _model()
    sd = {**m.state_dict(), "3.weight": A.ones(1), "extra": A.zeros(2)}
    with raises(RuntimeError, "Unexpected key(s)", '"3.weight"', '"extra"'):
        m.load_state_dict(sd)
    result = m.load_state_dict(sd, strict=False)
    assert result.unexpected_keys == ["3.weight", "extra"] and result.missing_keys == []


def test_load_state_dict_wrong_shapes_name_key_and_both_shapes():
    m = _model()
    sd = m.state_dict()
    sd["0.weight"] = A.ones(3, 4)
    sd["1.running_mean"] = A.ones(5)
    before = m.state_dict()
    with raises(RuntimeError, "0.weight", "(3, 4)", "(4, 3)", "1.running_mean", "(5,)", "(4,)"):
        m.load_state_dict(sd, strict=False)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k].numpy())


def test_load_state_dict_of_a_non_mapping():
    with raises(TypeError, "dict-like", "list"):
        _model().load_state_dict([("0.weight", A.ones(4, 3))])


# ---------------------------------------------------------------------- DataLoader
DS = TensorDataset(A.randn(10, 2), A.arange(10))


@pytest.mark.parametrize("kwargs, exc, fragments", [
    (dict(batch_size=0), ValueError, ["batch_size", "0"]),
    (dict(batch_size=-1), ValueError, ["batch_size", "-1"]),
    (dict(batch_size=2.5), ValueError, ["batch_size", "2.5"]),
    (dict(num_workers=-1), ValueError, ["num_workers", "-1"]),
    (dict(shuffle=True, sampler=[0, 1]), ValueError, ["sampler", "shuffle"]),
    (dict(batch_sampler=[[0, 1]], batch_size=2), ValueError, ["batch_sampler", "batch_size"]),
    (dict(batch_sampler=[[0, 1]], drop_last=True), ValueError, ["batch_sampler", "drop_last"]),
    (dict(drop_last="yes"), ValueError, ["drop_last", "'yes'"]),
    (dict(collate_fn=3), TypeError, ["collate_fn", "int"]),
    (dict(timeout=-1), ValueError, ["timeout", "-1"]),
    (dict(prefetch_factor=2), ValueError, ["prefetch_factor"]),
    (dict(persistent_workers=True), ValueError, ["persistent_workers", "num_workers"]),
], ids=lambda v: "-".join(v) if isinstance(v, dict) else "")
def test_dataloader_rejects_bad_arguments(kwargs, exc, fragments):
    with raises(exc, *fragments):
        DataLoader(DS, **kwargs)


def test_dataloader_and_tensor_dataset_reject_bad_datasets():
    with raises(TypeError, "dataset", "int"):
        DataLoader(5)
    with raises(ValueError, "TensorDataset", "[3, 4]"):
        TensorDataset(A.randn(3), A.randn(4))


# ---------------------------------------------------------------------- anomaly mode
FLOAT_TARGET_LOSSES = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
                       "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
                       "soft_margin_loss", "poisson_nll_loss", "log_cosh_loss", "quantile_loss",
                       "dice_loss"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")], ids=["nan", "inf"])
@pytest.mark.parametrize("name", FLOAT_TARGET_LOSSES)
def test_nan_and_inf_targets_raise_under_detect_anomaly(name, bad):
    x = A.rand(2, 3, requires_grad=True) * 0.5 + 0.25
    t = A.tensor([[0.5, bad, 0.0], [1.0, 0.0, 0.5]])
    with A.detect_anomaly():
        with raises(RuntimeError, name, "nan" if bad != bad else "inf"):
            getattr(F, name)(x, t)
    with np.errstate(all="ignore"):
        getattr(F, name)(x, t)    # outside anomaly mode the check costs nothing and is off


def test_nan_probability_targets_and_variances_under_detect_anomaly():
    x = A.randn(2, 3, requires_grad=True)
    with A.detect_anomaly():
        with raises(RuntimeError, "cross_entropy", "nan"):
            F.cross_entropy(x, A.tensor([[0.5, float("nan"), 0.5], [1.0, 0.0, 0.0]]))
        with raises(RuntimeError, "gaussian_nll_loss", "nan"):
            F.gaussian_nll_loss(x, A.tensor([[0.5, float("nan"), 0.5], [1.0, 0.0, 0.0]]),
                                A.ones(2, 3))


def test_detect_anomaly_names_the_op_whose_gradient_is_nan():
    x = A.tensor([0.0, 1.0], requires_grad=True)
    with A.detect_anomaly(), np.errstate(all="ignore"):
        y = (A.log(x) * 0.0).sum()
        with raises(RuntimeError, "LogBackward", "nan or inf", "test_bad_input.py"):
            y.backward()


@pytest.mark.parametrize("data", ["abc", [1, "a"], object(), {"a": 1}],
                         ids=["str", "mixed_list", "object", "dict"])
def test_tensor_from_unsupported_data(data):
    with pytest.raises((TypeError, ValueError)) as info:
        A.tensor(data)
    assert "tensor" in str(info.value) or "convert" in str(info.value)
