"""Known bugs in the core that the registry tests work around until they are fixed.

Each flag is False while the bug exists and names the strict xfail test documenting it. When a
fix lands, that test XPASSes and fails the run: delete its xfail mark and set the flag to True,
which puts the excluded cases back into the property tests.
"""

# NumPy ufuncs return scalars for 0-d arrays, so an op that saves its 0-d output saves a
# constant: double backward through it is silently zero.
# tests/autograd/test_engine.py::test_second_derivative_through_an_op_on_a_0d_tensor_is_connected
ZERO_D_SAVED_OUTPUT_OK = False

# A `dim` (0 or -1) on a 0-d tensor raises in the reductions (PyTorch accepts it).
# tests/autograd/test_ops_values.py::test_reduction_accepts_dim_0_and_minus_1_on_a_0d_tensor
ZERO_D_DIM_OK = False

# cumprod of a tensor requiring grad over a size-0 dim raises IndexError.
# tests/autograd/test_ops_values.py::test_cumprod_requiring_grad_over_an_empty_dim_is_empty
CUMPROD_EMPTY_OK = False

# flatten raises when a dim outside the flattened range is empty (reshape to (-1, 0)).
# tests/autograd/test_ops_values.py::test_flatten_keeps_an_empty_dim_outside_the_range
FLATTEN_EMPTY_OK = False

# split(int) and chunk of a size-0 dim return no pieces (PyTorch: split gives one empty piece,
# chunk gives `chunks` empty pieces).
# tests/autograd/test_ops_values.py::test_split_and_chunk_of_an_empty_dim_return_empty_pieces
SPLIT_EMPTY_OK = False

# pad of a 0-d tensor (with the empty pad ()) raises TypeError from np.pad.
# tests/autograd/test_ops_values.py::test_pad_of_a_0d_tensor_with_no_padding_returns_it
PAD_0D_OK = False


def always_0d_output():
    """OpSpec arguments for an op whose output is always 0-d: no double-backward check until
    ZERO_D_SAVED_OUTPUT_OK (with the reason in its notes)."""
    if ZERO_D_SAVED_OUTPUT_OK:
        return {}
    return {"double_backward": False,
            "notes": "always a 0-d output: double backward waits for the core fix of "
                     "_core_bugs.ZERO_D_SAVED_OUTPUT_OK"}

# Under create_graph, BinaryCrossEntropyWithLogits computes softplus(-x) as
# log1p(exp(-|x|)) + relu(-x), whose recorded derivative at x == 0 is 0 instead of -1/2 (the
# kinks of abs and relu do not cancel), so second derivatives are wrong at logits exactly 0.
# tests/autograd/test_ops_gradients.py::test_bce_with_logits_second_derivative_at_a_zero_logit
BCE_LOGITS_ZERO_OK = False

# softmax and log_softmax raise on tensors with an empty dim (np.amax of a zero-size array);
# PyTorch returns an empty result.
# tests/autograd/test_ops_values.py::test_softmax_of_a_tensor_with_an_empty_dim_is_empty
SOFTMAX_EMPTY_OK = False
