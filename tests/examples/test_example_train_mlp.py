"""examples/train_mlp.py at tiny size: the files it writes, determinism, exact resume."""
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
import train_mlp  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"
TINY = ["--hidden", "16", "--batch-size", "128", "--lr", "0.01", "--no-progress"]


def run(out, *flags):
    return train_mlp.main([*TINY, "--out", str(out), *flags])


def read_json(path):
    with open(path) as f:
        return json.load(f)


def test_tiny_run_writes_pictures_metrics_and_checkpoints(tmp_path, capsys):
    metrics = run(tmp_path, "--epochs", "1", "--dropout", "0.1")

    for name in ("curves.png", "graph.png", "diagnostics.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE, name
        assert len(data) > 5000, f"{name} is suspiciously small ({len(data)} bytes)"
    on_disk = read_json(tmp_path / "metrics.json")
    assert on_disk == json.loads(json.dumps(metrics))
    for key in ("config", "sizes", "epochs", "initial_val_loss", "best_epoch", "test_accuracy",
                "test_loss", "confusion_matrix", "diagnostics"):
        assert key in on_disk, key
    (epoch,) = on_disk["epochs"]
    assert set(epoch) == {"epoch", "train_loss", "val_loss", "val_accuracy", "lr"}
    assert math.isfinite(epoch["train_loss"]) and math.isfinite(epoch["val_loss"])
    assert epoch["val_loss"] < on_disk["initial_val_loss"], "one epoch did not lower the loss"

    confusion = np.array(on_disk["confusion_matrix"])
    assert confusion.shape == (10, 10)
    assert confusion.sum() == on_disk["sizes"]["test"]
    assert on_disk["test_accuracy"] == np.trace(confusion) / confusion.sum()

    layers = on_disk["diagnostics"][0]["layers"]
    assert [r["type"] for r in layers] == ["Linear", "ReLU", "Dropout", "Linear"]
    linear = layers[0]
    assert linear["grad_norm"] > 0 and 0 < linear["update_ratio"] < 1
    assert 0 <= layers[1]["dead_fraction"] <= 1

    timings = read_json(tmp_path / "timings.json")
    assert len(timings["epochs"]) == 1 and timings["epochs"][0]["seconds"] > 0
    assert "seconds" not in json.dumps(on_disk), "wall-clock times belong in timings.json"

    for name in ("best.pt", "last.pt"):
        state = autograd.load(str(tmp_path / name))
        assert state["epoch"] == 1
        assert {"model", "optimizer", "scheduler", "rng_state", "loader_rng_state",
                "augment_rng_state", "metrics", "early_stopping"} <= set(state)
        assert "0.weight" in state["model"]

    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "true\\pred" in printed and "update/weight" in printed
    assert "batch/s" not in printed, "no progress bar when stdout is not a terminal"


def test_same_seed_gives_identical_metrics_file(tmp_path):
    run(tmp_path / "a", "--epochs", "2", "--seed", "3", "--no-plots")
    run(tmp_path / "b", "--epochs", "2", "--seed", "3", "--no-plots")
    run(tmp_path / "c", "--epochs", "2", "--seed", "4", "--no-plots")
    a, b, c = ((tmp_path / d / "metrics.json").read_bytes() for d in "abc")
    assert a == b
    assert a != c


@pytest.mark.parametrize("flags", [
    ["--optimizer", "adamw", "--scheduler", "cosine", "--dropout", "0.2"],
    ["--optimizer", "sgd", "--scheduler", "onecycle", "--norm", "batch", "--clip-grad", "1"],
    ["--optimizer", "rmsprop", "--scheduler", "plateau", "--norm", "layer", "--lr", "0.01"],
], ids=["adamw-cosine-dropout", "sgd-onecycle-batchnorm", "rmsprop-plateau-layernorm"])
def test_resumed_run_equals_uninterrupted_run_bit_for_bit(tmp_path, flags):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    run(whole, "--epochs", "3", "--patience", "0", "--no-plots", *flags)
    partial = run(parts, "--epochs", "3", "--patience", "0", "--stop-after", "1", *flags)
    assert len(partial["epochs"]) == 1 and "test_accuracy" not in partial
    assert not (parts / "curves.png").exists()
    train_mlp.main(["--resume", str(parts / "last.pt"), "--stop-after", "1", "--no-progress"])
    train_mlp.main(["--resume", str(parts / "last.pt"), "--no-progress", "--no-plots"])
    assert (parts / "metrics.json").read_bytes() == (whole / "metrics.json").read_bytes()
    timings = read_json(parts / "timings.json")
    assert [s["start_epoch"] for s in timings["sessions"]] == [1, 2, 3]


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="the MNIST test set is not in ../shared/data/mnist")
def test_resume_with_augmentation_equals_uninterrupted_run(tmp_path):
    flags = ["--dataset", "mnist", "--data-dir", str(MNIST_DIR), "--hidden", "8",
             "--batch-size", "256", "--epochs", "2", "--augment", "2", "--no-plots"]
    run(tmp_path / "whole", *flags)
    run(tmp_path / "parts", *flags, "--stop-after", "1")
    train_mlp.main(["--resume", str(tmp_path / "parts" / "last.pt"), "--no-progress",
                    "--no-plots"])
    whole = (tmp_path / "whole" / "metrics.json").read_bytes()
    assert (tmp_path / "parts" / "metrics.json").read_bytes() == whole


class _FixedOffsets:
    """Stands in for a NumPy Generator: `integers` returns the given (dy, dx) offsets."""

    def __init__(self, oy, ox):
        self.offsets = np.array([oy, ox])

    def integers(self, low, high, size):
        assert size == self.offsets.shape and (low, high) == (0, 5)
        return self.offsets


def test_shift_images_moves_each_image_by_its_own_offset():
    images = np.zeros((2, 6, 6), np.float32)
    images[0, 2, 3] = 1.0
    images[1, 5, 0] = 1.0
    # offsets are drawn in [0, 2 * max_shift]; the shift is offset - max_shift
    out = train_mlp.shift_images(autograd.from_numpy(images.reshape(2, 36)), 2, -0.5,
                                 _FixedOffsets([0, 4], [3, 2])).numpy().reshape(2, 6, 6)
    expected = np.full((2, 6, 6), -0.5, np.float32)
    expected[0] = 0.0
    expected[0, :2, :] = -0.5       # moved down by 2: the top two rows are new border
    expected[0, :, 5] = -0.5        # moved left by 1: the right column is new border
    expected[0, 4, 2] = 1.0
    expected[1, :4, :] = 0.0        # image 1 moved up by 2, not sideways
    expected[1, 3, 0] = 1.0
    np.testing.assert_array_equal(out, expected)


def test_resume_refuses_flags_that_change_the_run(tmp_path):
    run(tmp_path, "--epochs", "2", "--stop-after", "1")
    with pytest.raises(SystemExit, match="--lr 0.5"):
        train_mlp.main(["--resume", str(tmp_path / "last.pt"), "--lr", "0.5"])


def test_early_stopping_stops_when_val_loss_stalls(tmp_path):
    # Steps of 1e-9 are below float32 resolution: the weights, so the val loss, never change.
    metrics = run(tmp_path, "--epochs", "10", "--patience", "2", "--scheduler", "step",
                  "--optimizer", "sgd", "--lr", "1e-9", "--no-plots")
    assert metrics["stopped_early"]
    assert len(metrics["epochs"]) < 10


def test_help_documents_every_flag():
    text = train_mlp.build_parser().format_help()
    for flag in ("--dataset", "--data-dir", "--epochs", "--batch-size", "--lr", "--optimizer",
                 "--hidden", "--activation", "--norm", "--dropout", "--weight-decay",
                 "--scheduler", "--clip-grad", "--seed", "--val-fraction", "--test-fraction",
                 "--patience", "--out", "--resume", "--no-progress", "--no-plots", "--augment",
                 "--stop-after"):
        assert flag in text, flag
    for choice in ("sgd", "adamw", "rmsprop", "onecycle", "plateau", "warmup_cosine", "layer"):
        assert choice in text, choice


def test_bad_flags_exit_with_a_message(tmp_path):
    with pytest.raises(SystemExit, match="--hidden"):
        run(tmp_path, "--hidden", "16,-3")
    with pytest.raises(SystemExit, match="--val-fraction"):
        run(tmp_path, "--val-fraction", "1.5")
    with pytest.raises(SystemExit, match="--data-dir"):
        run(tmp_path, "--dataset", "mnist")
    with pytest.raises(SystemExit, match="--augment"):
        run(tmp_path, "--augment", "2")
    with pytest.raises(SystemExit, match="t10k-images-idx3-ubyte"):
        run(tmp_path, "--dataset", "mnist", "--data-dir", str(tmp_path))


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="the MNIST test set is not in ../shared/data/mnist")
def test_mnist_test_set_split_8000_2000(tmp_path):
    metrics = run(tmp_path, "--dataset", "mnist", "--data-dir", str(MNIST_DIR), "--epochs", "1",
                  "--no-plots")
    sizes = metrics["sizes"]
    assert sizes["test"] == 2000 and sizes["train"] + sizes["val"] == 8000
    assert metrics["test_accuracy"] > 0.5  # one short epoch of a 16-unit MLP


@pytest.mark.parametrize("optimizer", sorted(train_mlp.OPTIMIZERS))
def test_every_optimizer_and_scheduler_choice_trains_and_checkpoints(tmp_path, optimizer):
    x = autograd.from_numpy(np.random.default_rng(0).standard_normal((12, 4), np.float32))
    y = autograd.from_numpy(np.arange(12) % 3)
    for scheduler in train_mlp.SCHEDULERS:
        args, _ = train_mlp.parse_args(["--optimizer", optimizer, "--scheduler", scheduler,
                                        "--epochs", "2"])
        model = train_mlp.build_model(4, [8], 3, args)
        opt = train_mlp.build_optimizer(model, args)
        sched, when = train_mlp.build_scheduler(opt, args, steps_per_epoch=3)
        before = model.state_dict()["0.weight"].numpy().copy()
        for _ in range(3):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if when == "plateau":
                sched.step(loss.item())
            elif when is not None:
                sched.step()
        assert not np.array_equal(model.state_dict()["0.weight"].numpy(), before), scheduler
        path = str(tmp_path / f"{scheduler}.pt")
        autograd.save({"optimizer": opt.state_dict(),
                       "scheduler": None if sched is None else sched.state_dict()}, path)
        assert autograd.load(path)["optimizer"]["param_groups"][0]["lr"] == \
            opt.param_groups[0]["lr"]


def test_progress_bar_shows_the_running_loss(capsys):
    bar = train_mlp._Progress(range(3), "epoch 1/1", enabled=True)
    for _ in bar:
        bar.update(0.25)
    assert "loss=0.2500" in bar.bar.postfix
    bar.close()
    assert "epoch 1/1" in capsys.readouterr().out


def test_missing_graphviz_skips_graph_png_with_the_install_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "")
    metrics = run(tmp_path, "--epochs", "1")
    assert not (tmp_path / "graph.png").exists()
    assert (tmp_path / "curves.png").exists() and "test_accuracy" in metrics
    assert "apt-get install -y graphviz" in capsys.readouterr().out


def _write_idx(path, array):
    """An IDX file of unsigned bytes: magic (0, 0, 0x08, ndim), big-endian dims, the data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_mnist_with_training_files_tests_on_the_t10k_files(tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "mnist"
    data.mkdir()
    for split, n in (("train", 300), ("t10k", 100)):
        _write_idx(data / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(data / f"{split}-labels-idx1-ubyte", rng.integers(0, 10, n))
    metrics = run(tmp_path / "out", "--dataset", "mnist", "--data-dir", str(data), "--epochs",
                  "1", "--no-plots")
    assert metrics["sizes"] == {"train": 270, "val": 30, "test": 100}
    assert metrics["dataset"] == "MNIST (300 train / 100 test images)"
