"""Random differentiable programs (tests/reliability/programs.py): value against NumPy, first-
and second-order gradients against finite differences, float32 against float64, determinism.

The number of programs comes from the Hypothesis profile (tests/conftest.py): `ci` runs 40 per
test, `thorough` (HYPOTHESIS_PROFILE=thorough) 1000; the second-order test runs half as many.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import program_checks as pc
from programs import FAMILIES, OPS, programs

_HALF = max(1, settings().max_examples // 2)


@given(programs())
def test_random_programs_match_numpy_finite_differences_float32_and_repeat_exactly(program):
    pc.check_value(program)
    pc.check_first_order(program)
    pc.check_float32(program)
    pc.check_deterministic(program)


@settings(max_examples=_HALF)
@given(programs(second_order=True))     # one of the routes is create_graph=True
def test_random_programs_give_the_same_gradient_through_every_engine_route(program):
    pc.check_engine_paths(program)


@settings(max_examples=_HALF)
@given(programs(max_ops=8, second_order=True))
def test_random_programs_have_exact_second_derivatives(program):
    pc.check_second_order(program)


# Programs made of one family at a time, so every family is fuzzed in depth (a mixed program
# of 12 ops draws each family only a few times).
@settings(max_examples=max(1, settings().max_examples // 4))
@given(programs(min_ops=2, max_ops=6, families=("index", "shape", "binary"),
                second_order=True))
def test_random_indexing_and_shape_programs(program):
    pc.check_program(program, second_order=True)


@settings(max_examples=max(1, settings().max_examples // 4))
@given(programs(min_ops=2, max_ops=6, families=("reduce", "nn", "loss", "linalg"),
                second_order=True))
def test_random_reduction_nn_and_loss_programs(program):
    pc.check_program(program, second_order=True)


# Every op on its own (chains of 1 to 3 of it, inputs reused), so each one is checked in every
# run, first and second order, whatever the mixed programs happened to draw.
@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=max(3, settings().max_examples // 8))
@given(data=st.data())
def test_each_op_in_short_programs(name, data):
    program = data.draw(programs(min_ops=1, max_ops=3, ops=[name], second_order=True))
    pc.check_program(program, second_order=True)


def test_every_family_has_ops():
    assert {o.family for o in OPS.values()} == set(FAMILIES)
