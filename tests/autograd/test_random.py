"""The generator against a plain-Python Mersenne Twister and PyTorch's sampling rules written
out here (tests/autograd/mt_reference.py), with no PyTorch needed; test_random_vs_torch.py
compares with PyTorch itself."""
import math
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from mt_reference import MT19937


def test_the_stream_is_the_standard_mt19937():
    # the C++ standard requires the 10000th output of a default-seeded mt19937 to be this
    g = autograd.Generator().manual_seed(5489)
    assert int(g._words32(10000)[-1]) == 4123659995


@given(seed=st.integers(0, 2 ** 64 - 1))
def test_words_follow_the_reference_for_any_seed(seed):
    ref = MT19937(seed)
    g = autograd.Generator().manual_seed(seed)
    assert g._words32(5).tolist() == [ref.word() for _ in range(5)]
    assert g._words64(2).tolist() == [ref.word64() for _ in range(2)]


def test_rand_takes_24_bits_of_a_word_for_float32_and_53_of_two_for_float64():
    autograd.manual_seed(3)
    ref = MT19937(3)
    np.testing.assert_array_equal(autograd.rand(4).numpy(),
                                  np.float32([ref.float24() for _ in range(4)]))
    np.testing.assert_array_equal(autograd.rand(3, dtype=autograd.float64).numpy(),
                                  [ref.double53() for _ in range(3)])


def test_uniform_bounds_are_in_the_dtype_and_the_product_sum_rounds_once():
    autograd.manual_seed(4)
    ref = MT19937(4)
    lo, hi = np.float32(-0.0357), np.float32(0.0357)
    expected = [np.float32(ref.float24() * float(hi - lo) + float(lo)) for _ in range(50)]
    np.testing.assert_array_equal(autograd.empty(50).uniform_(-0.0357, 0.0357).numpy(), expected)


def _box_muller_pairs(ref, n):
    out = []
    while len(out) < n:
        u1, u2 = ref.double53(), ref.double53()
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        out += [radius * math.cos(2 * math.pi * u1), radius * math.sin(2 * math.pi * u1)]
    return out


def test_fewer_than_16_normals_come_one_at_a_time_and_keep_the_spare_value():
    autograd.manual_seed(5)
    expected = _box_muller_pairs(MT19937(5), 10)
    got = np.concatenate([autograd.randn(3, dtype=autograd.float64).numpy(),
                          autograd.randn(7, dtype=autograd.float64).numpy()])
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("n", [16, 40])
def test_16_or_more_normals_transform_blocks_of_16_uniforms(n):
    autograd.manual_seed(6)
    ref = MT19937(6)
    u = [ref.double53() for _ in range(n)]

    def block(values):
        first = [math.sqrt(-2 * math.log(1 - a)) * math.cos(2 * math.pi * b)
                 for a, b in zip(values[:8], values[8:])]
        second = [math.sqrt(-2 * math.log(1 - a)) * math.sin(2 * math.pi * b)
                  for a, b in zip(values[:8], values[8:])]
        return first + second
    expected = []
    for i in range(0, n - n % 16, 16):
        expected += block(u[i:i + 16])
    if n % 16:          # the ragged tail redoes the last 16 with fresh uniforms
        expected = expected[:n - 16] + block([ref.double53() for _ in range(16)])
    np.testing.assert_allclose(autograd.randn(n, dtype=autograd.float64).numpy(), expected,
                               rtol=1e-14)


def test_randint_and_randperm_follow_the_reference():
    autograd.manual_seed(7)
    ref = MT19937(7)
    assert autograd.randint(-3, 7, (6,)).tolist() == [ref.word() % 10 - 3 for _ in range(6)]
    big = 2 ** 40       # ranges of 2**28 and more take 64-bit draws
    assert autograd.randint(0, big, (3,)).tolist() == [ref.word64() % big for _ in range(3)]
    assert autograd.randperm(50).tolist() == ref.randperm(50)


def test_dropout_keeps_where_a_float64_uniform_is_below_1_minus_p():
    autograd.manual_seed(8)
    ref = MT19937(8)
    keep = np.array([ref.double53() < 0.7 for _ in range(40)])
    out = autograd.nn.functional.dropout(autograd.ones(40), 0.3).numpy()
    np.testing.assert_array_equal(out != 0, keep)
    np.testing.assert_array_equal(out[keep], np.float32(1) / np.float32(0.7))


def test_state_round_trip_continues_the_stream_and_stores_the_seed():
    autograd.manual_seed(9)
    autograd.randn(3)       # leaves a spare normal value in the state
    state = autograd.get_rng_state()
    assert state.dtype == autograd.uint8 and state.shape == (5056,)
    assert int.from_bytes(state.numpy()[:8].tobytes(), "little") == 9
    expected = [autograd.randn(5).numpy(), autograd.rand(700).numpy()]
    autograd.manual_seed(123)
    autograd.set_rng_state(state)
    for want in expected:
        np.testing.assert_array_equal(autograd.randn(5).numpy() if want.size == 5 else
                                      autograd.rand(700).numpy(), want)


def test_bad_states_and_seeds_raise_clearly():
    with pytest.raises(RuntimeError, match="5056.*got dtype float32 with 3"):
        autograd.set_rng_state(autograd.zeros(3))
    bad = autograd.get_rng_state().numpy().copy()
    bad[8:12] = 0       # no words left: impossible
    with pytest.raises(RuntimeError, match="corrupt"):
        autograd.set_rng_state(autograd.tensor(bad))
    with pytest.raises(RuntimeError, match="range"):
        autograd.manual_seed(2 ** 64)
    assert autograd.manual_seed(-1).initial_seed() == 2 ** 64 - 1


def test_an_older_80_byte_state_reseeds_with_a_warning():
    old = autograd.tensor(np.arange(80, dtype=np.uint8))
    with pytest.warns(RuntimeWarning, match="older version"):
        autograd.set_rng_state(old)
    first = autograd.rand(3).numpy()
    with pytest.warns(RuntimeWarning):
        autograd.set_rng_state(old)
    np.testing.assert_array_equal(autograd.rand(3).numpy(), first)


def test_multinomial_frequencies_and_errors():
    autograd.manual_seed(10)
    w = autograd.tensor([1.0, 0.0, 3.0])
    draws = autograd.multinomial(w, 4000, replacement=True).numpy()
    assert 1 not in draws and abs((draws == 2).mean() - 0.75) < 0.03
    assert sorted(autograd.multinomial(w, 2).tolist()) == [0, 2]
    with pytest.raises(RuntimeError, match="not enough"):
        autograd.multinomial(w, 3)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        autograd.multinomial(w, 4)
    with pytest.raises(RuntimeError, match="element < 0"):
        autograd.multinomial(autograd.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        autograd.multinomial(autograd.ones(2, 2, 2), 1)


def test_samplers_reject_bad_parameters():
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        autograd.normal(0.0, -1.0, size=(2,))
    with pytest.raises(RuntimeError, match="probabilities in \\[0, 1\\]"):
        autograd.bernoulli(autograd.tensor([0.5, 1.5]))
    with pytest.raises(RuntimeError, match="p to be in \\[0, 1\\]"):
        autograd.empty(3).bernoulli_(2.0)
    with pytest.raises(RuntimeError, match="from=1.0 > to=0.0"):
        autograd.empty(3).uniform_(1.0, 0.0)


def test_threads_sharing_a_generator_each_get_whole_blocks():
    g = autograd.Generator().manual_seed(11)
    blocks = []

    def draw():
        for _ in range(50):
            blocks.append(autograd.randperm(30, generator=g).tolist())
    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    ref = MT19937(11)
    assert sorted(blocks) == sorted(ref.randperm(30) for _ in range(200))
