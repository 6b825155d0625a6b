"""examples/xor.py at tiny size: decision boundaries, the data it makes."""
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
import xor  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_xor_mlp_solves_what_logistic_regression_cannot(tmp_path):
    result = xor.main(["--out", str(tmp_path), "--points", "120", "--steps", "200"])
    assert (tmp_path / "xor.png").read_bytes()[:8] == PNG_SIGNATURE
    linear, mlp = result["logistic regression"], result["MLP 2-8-1"]
    assert linear["accuracy"] < 0.8
    assert mlp["accuracy"] > 0.95
    assert mlp["loss"][-1] < 0.2 * mlp["loss"][0]


def test_xor_labels_are_the_xor_of_the_signs():
    x, y = xor.make_xor(200, 0.0, np.random.default_rng(0))
    expected = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(np.float32)
    np.testing.assert_array_equal(y, expected)
