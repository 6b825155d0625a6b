"""Parametrizations without PyTorch: hand-computed values, orthogonality, and first and second
derivatives (float64) through weight_norm, spectral_norm and orthogonal."""
import math

import numpy as np
import pytest

import autograd
import nn
from autograd.gradcheck import gradcheck, gradgradcheck
from nn.utils import parametrizations as P
from nn.utils.parametrizations import _householder_product, _matrix_exp

RNG = np.random.default_rng(2)


def test_matrix_exp_of_a_rotation_generator_is_the_rotation():
    for t in (0.3, 2.5, 40.0):  # the last needs several squarings
        a = autograd.tensor([[0.0, -t], [t, 0.0]], dtype=autograd.float64)
        expected = [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]
        np.testing.assert_allclose(_matrix_exp(a)._data, expected, rtol=1e-11, atol=1e-11)


def test_householder_product_of_one_reflection_by_hand():
    # v = (1, 2), tau = 2 / |v|^2: H = I - 2 v v^T / 5, first column (1 - 2/5, -4/5)
    h = _householder_product(autograd.tensor([[7.0], [2.0]], dtype=autograd.float64),
                             autograd.tensor([0.4], dtype=autograd.float64))
    np.testing.assert_allclose(h._data, [[0.6], [-0.8]], rtol=1e-12)


@pytest.mark.parametrize("orth_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_orthogonal_weights_stay_orthogonal_and_have_second_derivatives(orth_map, shape):
    m = P.orthogonal(nn.Linear(shape[1], shape[0]).double(), orthogonal_map=orth_map)
    plist = m.parametrizations.weight
    # off the diagonal: householder reads the diagonal truncated to integers (as PyTorch), and
    # its gradient there is 0, so training never moves it
    off_diagonal = 0.2 * RNG.standard_normal(shape) * (1.0 - np.eye(*shape))
    with autograd.no_grad():
        plist.original.add_(autograd.tensor(off_diagonal))
    w = m.weight._data
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-12)
    # a diagonal of -1.3 (not -1) keeps finite differences off the steps of the truncation
    at = plist.original._data - 0.3 * np.eye(*shape)
    original = autograd.tensor(at, requires_grad=True)
    assert gradcheck(plist[0], (original,))
    assert gradgradcheck(plist[0], (original,))


def test_orthogonal_assignment_stores_the_orthogonalised_matrix():
    m = P.orthogonal(nn.Linear(3, 3).double())
    q = np.linalg.qr(RNG.standard_normal((3, 3)))[0]
    m.weight = autograd.tensor(q)
    np.testing.assert_allclose(m.weight._data, q, atol=1e-12)


def test_weight_norm_and_spectral_norm_have_second_derivatives():
    wn = P.weight_norm(nn.Linear(3, 2).double()).parametrizations.weight[0]
    g = autograd.tensor(RNG.uniform(0.5, 1.5, (2, 1)), requires_grad=True)
    v = autograd.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(wn, (g, v)) and gradgradcheck(wn, (g, v))
    sn = P.spectral_norm(nn.Linear(3, 2).double()).eval().parametrizations.weight[0]
    w = autograd.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(sn, (w,)) and gradgradcheck(sn, (w,))


def test_spectral_norm_initial_iterations_find_the_top_singular_vectors():
    m = P.spectral_norm(nn.Linear(4, 3).double()).eval()
    np.testing.assert_allclose(np.linalg.svd(m.weight._data)[1][0], 1.0, rtol=1e-2)
