"""The Tensor class: attributes, conversions, repr, hashing, and what carries no gradient."""
import numpy as np
import pytest

import autograd


def test_repr_of_a_leaf_requiring_grad_follows_pytorch():
    x = autograd.tensor([1.5, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1.5000, 2.0000], requires_grad=True)"


def test_repr_of_an_op_output_names_its_backward_node():
    x = autograd.tensor([1.5, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([3., 4.], grad_fn=<MulBackward>)"


def test_repr_shows_non_default_dtypes_and_scalars():
    assert repr(autograd.tensor([1.5], dtype=autograd.float64)) == \
        "tensor([1.5000], dtype=float64)"
    assert repr(autograd.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(autograd.tensor(3.0)) == "tensor(3.)"


def test_tensors_hash_by_identity_not_by_value():
    a, b = autograd.tensor([1.0]), autograd.tensor([1.0])
    assert len({a, b}) == 2
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert bool(a == b)  # == is elementwise


def test_shape_attributes():
    x = autograd.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.dim() == 3 and x.numel() == 24
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert len(x) == 2 and x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)
    with pytest.raises(IndexError):
        x.size(3)


def test_item_tolist_and_python_conversions():
    x = autograd.tensor([[1.5, 2.0]])
    assert x.tolist() == [[1.5, 2.0]]
    assert x[0, 1].item() == 2.0 and isinstance(x[0, 1].item(), float)
    assert float(autograd.tensor([2.5])) == 2.5 and int(autograd.tensor([3])) == 3
    with pytest.raises(RuntimeError, match="2 elements"):
        x.item()


def test_bool_of_one_element_works_and_of_several_is_ambiguous():
    assert bool(autograd.tensor([1.0])) and not bool(autograd.tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(autograd.tensor([1.0, 2.0]))


def test_iteration_yields_the_rows_and_keeps_the_graph():
    x = autograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    (rows[1] * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0], [2, 2]])


def test_numpy_refuses_a_tensor_that_requires_grad_but_detach_works():
    x = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_data_is_a_detached_tensor_sharing_storage():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), x.detach().numpy())


def test_clone_copies_the_data_and_keeps_the_graph():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn is not None and not np.shares_memory(c.detach().numpy(),
                                                         x.detach().numpy())
    (c * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_is_leaf_and_requires_grad_flags():
    x = autograd.tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert autograd.tensor([1.0]).is_leaf
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)


def test_comparisons_and_index_results_carry_no_gradient():
    x = autograd.tensor([1.0, -2.0, 3.0], requires_grad=True)
    for out in (x > 0, x <= 1.0, x == x, x != 1.0, x.argmax(), x.argmin(), x.isnan(),
                x.isfinite(), (x > 0).all(), (x > 0).any()):
        assert not out.requires_grad and out.grad_fn is None
    assert (x > 0).dtype == autograd.bool and x.argmax().dtype == autograd.int64
    assert x.argmax().item() == 2


def test_step_functions_stay_on_the_graph_with_zero_gradient():
    # (as PyTorch: sign, floor, ceil, trunc and round are differentiable, with gradient 0)
    x = autograd.tensor([1.5, -2.25, 3.75], requires_grad=True)
    outs = [x.sign(), x.floor(), x.ceil(), x.trunc(), x.round()]
    assert [o.tolist() for o in outs] == [[1, -1, 1], [1, -3, 3], [2, -2, 4], [1, -2, 3],
                                          [2, -2, 4]]
    sum(o.sum() for o in outs).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert not autograd.tensor([1, 2]).floor().requires_grad


def test_grad_assignment_is_validated():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="shape"):
        x.grad = autograd.tensor([1.0])
    with pytest.raises(RuntimeError, match="dtype"):
        x.grad = autograd.tensor([1.0, 2.0], dtype=autograd.float64)
    x.grad = autograd.tensor([0.5, 0.5])
    assert x.grad.tolist() == [0.5, 0.5]


def test_tensor_copies_its_data_and_as_tensor_shares_it():
    arr = np.array([1.0, 2.0])
    t = autograd.tensor(arr)
    arr[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    shared = autograd.from_numpy(arr)
    arr[1] = 7.0
    assert shared.tolist() == [9.0, 7.0]
