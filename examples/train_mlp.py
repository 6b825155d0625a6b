"""Train an MLP on handwritten digits: progress bars, early stopping, checkpoints, pictures.

    python examples/train_mlp.py                                   # sklearn's 8x8 digits, offline
    python examples/train_mlp.py --dataset mnist --data-dir ../shared/data/mnist --out runs/mnist
    python examples/train_mlp.py --resume runs/digits/last.pt      # continue an interrupted run

Writes to --out (default runs/DATASET):
  curves.png       train/val loss and val accuracy per epoch
  graph.png        one training step's computation graph, grouped by module, with gradient norms
  diagnostics.png  per-layer activation std, dead units, gradient norm, update/weight ratio
  metrics.json     every epoch's numbers, final test accuracy and confusion matrix; the same
                   seed gives the same file bit for bit (wall-clock times go to timings.json)
  best.pt, last.pt checkpoints (model, optimizer, scheduler, epoch, RNG states, metrics so far)

Data: `digits` is scikit-learn's 1,797 8x8 images, features standardized per pixel. `mnist`
reads IDX files from --data-dir: with the training files present, train+val come from the
60,000 training images and the test set is the 10,000 test images; with only the test files
(t10k-*), those 10,000 are split into train+val and a --test-fraction test set.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

# NOTE: one BLAS thread unless the environment says otherwise. At these sizes (batch 64 through
# 784-256-128-10) a second OpenBLAS thread costs more than it brings. On a 2-core machine, one
# Adam step: fastest of 50, 1.7 ms with one thread vs 2.5 ms with two; median, while other
# processes kept both cores busy, 20 ms vs 106 ms (the default digits run: 2.5 s vs 54 s of
# training). It must be set before NumPy is imported, so it does nothing when NumPy came first.
if not any(v in os.environ for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS")):
    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd.data import DataLoader, TensorDataset, random_split  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _plots  # noqa: E402  (the examples folder is not a package)

CHECKPOINT_FORMAT = "train_mlp/1"
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
              "adagrad": "Adagrad", "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "NAdam",
              "radam": "RAdam", "lion": "Lion", "lamb": "LAMB", "adafactor": "Adafactor"}
DEFAULT_LR = {"sgd": 0.05, "rmsprop": 1e-3, "adagrad": 0.01, "adadelta": 1.0, "lion": 1e-4,
              "adafactor": 1e-3}  # everything else: 1e-3
SCHEDULERS = ("none", "cosine", "step", "onecycle", "plateau", "warmup_cosine")
ACTIVATIONS = {"relu": "ReLU", "gelu": "GELU", "silu": "SiLU", "tanh": "Tanh", "elu": "ELU",
               "leaky_relu": "LeakyReLU", "selu": "SELU", "mish": "Mish", "sigmoid": "Sigmoid"}
# Per-dataset defaults for the flags whose best value depends on the data.
DATASET_DEFAULTS = {"digits": dict(epochs=40, batch_size=32, dropout=0.1, augment=0),
                    "mnist": dict(epochs=30, batch_size=64, dropout=0.2, augment=2)}
# Flags that only affect this invocation, not the numbers: a resumed run may change them.
SESSION_FLAGS = ("data_dir", "out", "resume", "no_progress", "no_plots", "stop_after")


# ---------------------------------------------------------------------------------- arguments
def build_parser(suppress=False):
    """The command line; with `suppress`, unset flags are absent (to see what was given)."""
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS if suppress else None)
    d = (lambda v: argparse.SUPPRESS) if suppress else (lambda v: v)
    data = p.add_argument_group("data")
    data.add_argument("--dataset", choices=("digits", "mnist"), default=d("digits"),
                      help="digits: scikit-learn's 8x8 digits (offline); mnist: IDX files in "
                           "--data-dir (default: digits)")
    data.add_argument("--data-dir", default=d(None),
                      help="folder with MNIST IDX files (train-images-idx3-ubyte[.gz], "
                           "t10k-images-idx3-ubyte[.gz], ... any subset); needed for mnist")
    data.add_argument("--val-fraction", type=float, default=d(0.1),
                      help="fraction of train+val held out for validation (default 0.1)")
    data.add_argument("--test-fraction", type=float, default=d(0.2),
                      help="fraction held out for testing when the data has no separate test "
                           "set (digits; MNIST with only t10k files) (default 0.2)")
    data.add_argument("--augment", type=int, default=d(None), metavar="PIXELS",
                      help="shift each training image by a random offset of up to PIXELS in "
                           "each direction, anew every epoch (mnist only; default: 2 on mnist, "
                           "0 = off)")
    model = p.add_argument_group("model")
    model.add_argument("--hidden", default=d("256,128"),
                       help="hidden layer sizes, comma separated (default 256,128)")
    model.add_argument("--activation", choices=tuple(ACTIVATIONS), default=d("relu"),
                       help="activation after each hidden layer (default relu)")
    model.add_argument("--norm", choices=("none", "batch", "layer"), default=d("none"),
                       help="normalisation after each hidden linear layer (default none)")
    model.add_argument("--dropout", type=float, default=d(None),
                       help="dropout probability after each hidden layer (default: 0.1 on "
                            "digits, 0.2 on mnist)")
    train = p.add_argument_group("training")
    train.add_argument("--epochs", type=int, default=d(None),
                       help="maximum number of epochs (default: 40 on digits, 30 on mnist)")
    train.add_argument("--batch-size", type=int, default=d(None),
                       help="training batch size (default: 32 on digits, 64 on mnist)")
    train.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default=d("adamw"),
                       help="optimizer (default adamw); sgd and rmsprop use --momentum")
    train.add_argument("--lr", type=float, default=d(None),
                       help="learning rate (peak lr for onecycle and warmup_cosine; default "
                            "0.05 for sgd, 1e-4 for lion, 0.01 for adagrad, 1.0 for adadelta, "
                            "1e-3 otherwise)")
    train.add_argument("--momentum", type=float, default=d(0.9),
                       help="momentum for sgd (Nesterov) and rmsprop (default 0.9)")
    train.add_argument("--weight-decay", type=float, default=d(1e-4),
                       help="weight decay, as each optimizer defines it (decoupled in "
                            "adamw, lion, lamb, adafactor; L2 in the gradient otherwise; "
                            "default 1e-4)")
    train.add_argument("--scheduler", choices=SCHEDULERS, default=d("cosine"),
                       help="lr schedule (default cosine): cosine anneals to 0 over all steps; "
                            "step divides by 10 every epochs/3; onecycle and warmup_cosine "
                            "(one warmup epoch) step per batch; plateau divides by 10 after "
                            "2 epochs without val-loss improvement")
    train.add_argument("--clip-grad", type=float, default=d(0.0),
                       help="clip the gradients' total 2-norm to this value (0: off, default)")
    train.add_argument("--patience", type=int, default=d(10),
                       help="stop after this many epochs without a lower val loss (0: never; "
                            "default 10)")
    train.add_argument("--seed", type=int, default=d(0),
                       help="seeds the data split, init, dropout and shuffling (default 0)")
    run = p.add_argument_group("output")
    run.add_argument("--out", default=d(None),
                     help="output folder (default runs/DATASET, or the resumed checkpoint's)")
    run.add_argument("--resume", default=d(None), metavar="PATH",
                     help="continue from a checkpoint (last.pt or best.pt) with its settings "
                          "and data folder")
    run.add_argument("--no-progress", action="store_true", default=d(False),
                     help="no progress bars (also off when stdout is not a terminal)")
    run.add_argument("--no-plots", action="store_true", default=d(False),
                     help="skip curves.png, graph.png and diagnostics.png (for sweeps and tests)")
    run.add_argument("--stop-after", type=int, default=d(None), metavar="N",
                     help="stop after N epochs of this invocation, as an interruption would "
                          "(then --resume); for tests and for splitting long runs")
    return p


def parse_args(argv):
    args = build_parser().parse_args(argv)
    given = vars(build_parser(suppress=True).parse_args(argv))
    for key, value in DATASET_DEFAULTS[args.dataset].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.lr is None:
        args.lr = DEFAULT_LR.get(args.optimizer, 1e-3)
    if args.out is None:
        args.out = (os.path.dirname(os.path.abspath(args.resume)) if args.resume
                    else os.path.join("runs", args.dataset))
    return args, given


def config_of(args):
    """The settings that determine the numbers (stored in checkpoints and metrics.json)."""
    return {k: v for k, v in sorted(vars(args).items()) if k not in SESSION_FLAGS}


def check_args(args):
    hidden = parse_hidden(args.hidden)
    problems = []
    if not 0 < args.val_fraction < 1:
        problems.append(f"--val-fraction must be in (0, 1), got {args.val_fraction}")
    if not 0 < args.test_fraction < 1:
        problems.append(f"--test-fraction must be in (0, 1), got {args.test_fraction}")
    if args.epochs < 1 or args.batch_size < 1:
        problems.append(f"--epochs and --batch-size must be >= 1, got {args.epochs} and "
                        f"{args.batch_size}")
    if not 0 <= args.dropout < 1:
        problems.append(f"--dropout must be in [0, 1), got {args.dropout}")
    if args.lr <= 0 or args.clip_grad < 0 or args.patience < 0 or args.weight_decay < 0:
        problems.append("--lr must be > 0; --clip-grad, --patience, --weight-decay >= 0")
    if args.stop_after is not None and args.stop_after < 1:
        problems.append(f"--stop-after must be >= 1, got {args.stop_after}")
    if args.augment < 0 or (args.augment and args.dataset != "mnist"):
        problems.append(f"--augment shifts 28x28 MNIST images; got {args.augment} for "
                        f"{args.dataset}")
    if args.dataset == "mnist" and not args.data_dir:
        problems.append("--dataset mnist needs --data-dir (a folder of MNIST IDX files)")
    if problems:
        raise SystemExit("train_mlp.py: " + "; ".join(problems))
    return hidden


def parse_hidden(text):
    try:
        sizes = [int(s) for s in str(text).split(",") if s.strip()]
    except ValueError:
        sizes = [0]
    if any(s < 1 for s in sizes):
        raise SystemExit(f"train_mlp.py: --hidden must be positive sizes like 256,128, got "
                         f"{text!r}")
    return sizes


# ---------------------------------------------------------------------------------- data
def load_arrays(args):
    """(x_trainval, y_trainval, x_test or None, y_test or None, description) as NumPy arrays;
    x float32 (N, D) in [0, 1], y int64 (N,)."""
    from autograd import datasets
    if args.dataset == "digits":
        x, y = datasets.load_digits_dataset(flatten=True).tensors
        return x.numpy(), y.numpy(), None, None, "scikit-learn digits (8x8)"
    try:
        test = datasets.MNIST(args.data_dir, train=False, flatten=True)
    except (OSError, ValueError) as e:  # missing, truncated or corrupt IDX files
        raise SystemExit(f"train_mlp.py: cannot read MNIST from {args.data_dir}: {e}") from e
    try:
        train = datasets.MNIST(args.data_dir, train=True, flatten=True)
    except FileNotFoundError:
        return (_images(test), test.targets.numpy(), None, None,
                f"MNIST t10k ({len(test):,} test images, split)")
    return (_images(train), train.targets.numpy(), _images(test), test.targets.numpy(),
            f"MNIST ({len(train):,} train / {len(test):,} test images)")


def _images(mnist):
    return (mnist.data.numpy().reshape(len(mnist), -1) / np.float32(255)).astype(np.float32)


def make_splits(args, generator):
    """Standardized train/val/test TensorDatasets (statistics from the training part only), a
    description, and the scaled value of a blank pixel."""
    x, y, x_test, y_test, description = load_arrays(args)
    if x_test is None:
        n_test = int(round(args.test_fraction * len(x)))
        rest, test = random_split(range(len(x)), [len(x) - n_test, n_test], generator=generator)
        rest, test = np.asarray(rest.indices), np.asarray(test.indices)
        x, y, x_test, y_test = x[rest], y[rest], x[test], y[test]
    n_val = int(round(args.val_fraction * len(x)))
    train, val = random_split(range(len(x)), [len(x) - n_val, n_val], generator=generator)
    train, val = np.asarray(train.indices), np.asarray(val.indices)
    x_train = x[train]
    if args.dataset == "digits":
        # NOTE: per-pixel statistics; always-blank corner pixels (std 0) are only centred.
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std[std < 1e-6] = 1.0
    else:
        mean, std = x_train.mean(), x_train.std()  # one scale for all pixels, as is usual
    scale = lambda a: autograd.from_numpy(((a - mean) / std).astype(np.float32))  # noqa: E731
    label = lambda a: autograd.from_numpy(a.astype(np.int64))  # noqa: E731
    splits = {"train": TensorDataset(scale(x_train), label(y[train])),
              "val": TensorDataset(scale(x[val]), label(y[val])),
              "test": TensorDataset(scale(x_test), label(y_test))}
    background = float(np.mean(-mean / std))  # a blank pixel, after scaling
    return splits, description, background


def shift_images(xb, max_shift, background, rng):
    """Each square image in the batch moved by its own random (dy, dx) in
    [-max_shift, max_shift]^2; the uncovered border is `background`.

    Shapes: xb: (B, S*S)  ->  (B, S*S)
    """
    b, side = xb.shape[0], math.isqrt(xb.shape[1])
    s = max_shift
    padded = np.full((b, side + 2 * s, side + 2 * s), background, dtype=np.float32)
    padded[:, s:s + side, s:s + side] = xb.numpy().reshape(b, side, side)
    oy, ox = rng.integers(0, 2 * s + 1, size=(2, b))
    r = np.arange(side)
    out = padded[np.arange(b)[:, None, None], (oy[:, None] + r)[:, :, None],
                 (ox[:, None] + r)[:, None, :]]
    return autograd.from_numpy(out.reshape(b, -1))


# ---------------------------------------------------------------------------------- model & optim
def build_model(in_features, hidden, classes, args):
    activation = getattr(nn, ACTIVATIONS[args.activation])
    norm = None if args.norm == "none" else args.norm
    return nn.MLP(in_features, hidden, classes, activation=activation, norm=norm,
                  dropout=args.dropout)


def build_optimizer(model, args):
    cls = getattr(optim, OPTIMIZERS[args.optimizer])
    kwargs = dict(lr=args.lr, weight_decay=args.weight_decay)
    if args.optimizer == "sgd":
        kwargs.update(momentum=args.momentum, nesterov=args.momentum > 0)
    elif args.optimizer == "rmsprop":
        kwargs.update(momentum=args.momentum)
    return cls(model.parameters(), **kwargs)


def build_scheduler(optimizer, args, steps_per_epoch):
    """(scheduler or None, 'batch' | 'epoch' | 'plateau'): when to call its step()."""
    total = args.epochs * steps_per_epoch
    sched = optim.lr_scheduler
    if args.scheduler == "cosine":
        return sched.CosineAnnealingLR(optimizer, T_max=total), "batch"
    if args.scheduler == "step":
        return sched.StepLR(optimizer, step_size=max(1, args.epochs // 3), gamma=0.1), "epoch"
    if args.scheduler == "onecycle":
        group = optimizer.param_groups[0]
        cycle = "momentum" in group or "betas" in group  # Adagrad, Adadelta, Adafactor: no
        return sched.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total,
                                cycle_momentum=cycle), "batch"
    if args.scheduler == "plateau":
        return sched.ReduceLROnPlateau(optimizer, factor=0.1, patience=2), "plateau"
    if args.scheduler == "warmup_cosine":
        warmup = min(steps_per_epoch, total - 1)
        return sched.warmup_cosine(optimizer, warmup_steps=warmup, total_steps=total), "batch"
    return None, None


# ---------------------------------------------------------------------------------- steps
def evaluate(model, dataset, classes, batch_size=1000):
    """(mean loss, accuracy, confusion matrix as nested lists) in eval mode, without grad."""
    model.eval()
    total, correct, n = 0.0, 0, 0
    confusion = np.zeros((classes, classes), dtype=np.int64)
    with autograd.no_grad():
        for xb, yb in DataLoader(dataset, batch_size=batch_size):
            logits = model(xb)
            total += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            pred = logits.detach().numpy().argmax(axis=1)
            truth = yb.numpy()
            np.add.at(confusion, (truth, pred), 1)
            correct += int((pred == truth).sum())
            n += len(truth)
    model.train()
    return total / n, correct / n, confusion.tolist()


class _Progress:
    """A tqdm bar over one epoch's batches showing the running loss (or a plain iterator)."""

    def __init__(self, loader, desc, enabled):
        self.bar = None
        self.it = loader
        if enabled:
            from tqdm import tqdm
            self.bar = self.it = tqdm(loader, desc=desc, unit="batch", leave=False,
                                      file=sys.stdout, dynamic_ncols=True)

    def __iter__(self):
        return iter(self.it)

    def update(self, running_loss):
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{running_loss:.4f}", refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------------- checkpoints
def checkpoint_state(epoch, model, optimizer, scheduler, loader_gen, augment_gen, metrics,
                     stopping, timings, config, data_dir):
    return {"format": CHECKPOINT_FORMAT, "epoch": epoch, "config": config, "data_dir": data_dir,
            "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": None if scheduler is None else scheduler.state_dict(),
            "rng_state": autograd.get_rng_state(), "loader_rng_state": loader_gen.get_state(),
            "augment_rng_state": augment_gen.get_state(),
            "metrics": metrics, "early_stopping": stopping, "timings": timings}


def load_checkpoint(path, args, given):
    """The checkpoint at `path`; `args` takes its settings (given flags must agree)."""
    state = autograd.load(path)
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise SystemExit(f"train_mlp.py: {path} is not a train_mlp checkpoint")
    saved = state["config"]
    clashes = [f"--{k.replace('_', '-')} {given[k]} (checkpoint: {saved[k]})"
               for k in sorted(given) if k in saved and given[k] != saved[k]]
    if clashes:
        raise SystemExit(f"train_mlp.py: a resumed run keeps the settings it was started with; "
                         f"these flags disagree with {path}: " + ", ".join(clashes))
    for key, value in saved.items():
        setattr(args, key, value)
    if args.data_dir is None:
        args.data_dir = state.get("data_dir")
    return state


def save_json(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, allow_nan=True)
        f.write("\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------- main
def train_epoch(model, loader, optimizer, scheduler, when, loss_fn, clip_grad, bar,
                augment=None):
    """One pass over `loader`. Returns the mean training loss, the lr of the last step and the
    diagnostics of the first step (`nn.utils.TrainingDiagnostics`, attached for that step).
    `augment`, when given, maps each input batch to a randomly transformed one."""
    params = list(model.parameters())
    loss_sum, seen, rows, lr = 0.0, 0, [], None
    for step, (xb, yb) in enumerate(bar):
        if augment is not None:
            xb = augment(xb)
        diag = nn.utils.TrainingDiagnostics(model).attach() if step == 0 else None
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        if clip_grad > 0:
            nn.utils.clip_grad_norm_(params, clip_grad)
        optimizer.step()
        if diag is not None:
            diag.record_update()
            rows = diag.latest()
            diag.detach()
        lr = optimizer.param_groups[0]["lr"]
        if when == "batch":
            scheduler.step()
        loss_sum += loss.item() * len(yb)
        seen += len(yb)
        bar.update(loss_sum / seen)
    bar.close()
    return loss_sum / seen, lr, rows


def main(argv=None):
    """Run the command line `argv`; returns the metrics dict (also written to metrics.json)."""
    args, given = parse_args(argv)
    resumed = load_checkpoint(args.resume, args, given) if args.resume else None
    hidden = check_args(args)
    config = config_of(args)
    os.makedirs(args.out, exist_ok=True)
    progress = not args.no_progress and sys.stdout.isatty()

    autograd.manual_seed(args.seed)
    split_gen = autograd.Generator().manual_seed(args.seed)
    loader_gen = autograd.Generator().manual_seed(args.seed + 1)
    augment_gen = autograd.Generator().manual_seed(args.seed + 2)
    splits, description, background = make_splits(args, split_gen)
    augment = None
    if args.augment:
        augment = lambda xb: shift_images(xb, args.augment, background,  # noqa: E731
                                          augment_gen.rng)
    train, classes = splits["train"], 10
    in_features = train.tensors[0].shape[1]
    drop_last = args.norm == "batch" and len(train) % args.batch_size == 1  # no batch of one
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, drop_last=drop_last,
                        generator=loader_gen)
    model = build_model(in_features, hidden, classes, args)
    optimizer = build_optimizer(model, args)
    scheduler, when = build_scheduler(optimizer, args, len(loader))
    loss_fn = nn.CrossEntropyLoss()

    metrics = {"title": f"{description}: MLP {in_features}-{'-'.join(map(str, hidden))}-"
                        f"{classes}, {args.optimizer}, lr {args.lr:g}",
               "config": config, "dataset": description,
               "sizes": {k: len(splits[k]) for k in ("train", "val", "test")},
               "parameters": sum(p.numel() for p in model.parameters()),
               "epochs": [], "diagnostics": []}
    stopping = {"best_val_loss": math.inf, "best_epoch": 0, "bad_epochs": 0, "stopped": False}
    timings = {"epochs": [], "sessions": []}
    start_epoch = 1
    if resumed is not None:
        model.load_state_dict(resumed["model"])
        optimizer.load_state_dict(resumed["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(resumed["scheduler"])
        autograd.set_rng_state(resumed["rng_state"])
        loader_gen.set_state(resumed["loader_rng_state"])
        augment_gen.set_state(resumed["augment_rng_state"])
        metrics, stopping, timings = (resumed["metrics"], resumed["early_stopping"],
                                      resumed["timings"])
        start_epoch = resumed["epoch"] + 1
        print(f"resumed from {args.resume} after epoch {resumed['epoch']}")
    else:
        metrics["initial_val_loss"], metrics["initial_val_accuracy"], _ = evaluate(
            model, splits["val"], classes)
    print(f"{metrics['title']}; {metrics['parameters']:,} parameters; train/val/test "
          f"{len(train)}/{len(splits['val'])}/{len(splits['test'])}")
    timings["sessions"].append({"start_epoch": start_epoch, "resumed_from": args.resume})

    last_epoch = args.epochs
    if args.stop_after is not None:
        last_epoch = min(last_epoch, start_epoch + args.stop_after - 1)
    epoch = start_epoch
    try:
        for epoch in range(start_epoch, last_epoch + 1):
            if stopping["stopped"]:
                break
            t0 = time.perf_counter()
            bar = _Progress(loader, f"epoch {epoch}/{args.epochs}", progress)
            train_loss, lr, rows = train_epoch(model, loader, optimizer, scheduler, when,
                                               loss_fn, args.clip_grad, bar, augment)
            val_loss, val_acc, _ = evaluate(model, splits["val"], classes)
            improved = val_loss < stopping["best_val_loss"]
            if improved:
                stopping.update(best_val_loss=val_loss, best_epoch=epoch, bad_epochs=0)
            else:
                stopping["bad_epochs"] += 1
            stopping["stopped"] = bool(args.patience) and stopping["bad_epochs"] >= args.patience
            metrics["epochs"].append({"epoch": epoch, "train_loss": train_loss,
                                      "val_loss": val_loss, "val_accuracy": val_acc, "lr": lr})
            metrics["diagnostics"].append({"epoch": epoch, "layers": rows})
            if when == "epoch":
                scheduler.step()
            elif when == "plateau":
                scheduler.step(val_loss)
            seconds = time.perf_counter() - t0
            timings["epochs"].append({"epoch": epoch, "seconds": seconds})
            state = checkpoint_state(epoch, model, optimizer, scheduler, loader_gen, augment_gen,
                                     metrics, stopping, timings, config,
                                     args.data_dir and os.path.abspath(args.data_dir))
            autograd.save(state, os.path.join(args.out, "last.pt"))
            if improved:
                autograd.save(state, os.path.join(args.out, "best.pt"))
            print(f"epoch {epoch:3d}/{args.epochs}  train loss {train_loss:.4f}  val loss "
                  f"{val_loss:.4f}  val acc {100 * val_acc:6.2f}%  lr {lr:.2e}  {seconds:5.1f}s"
                  f"{'  *' if improved else ''}", flush=True)
    except KeyboardInterrupt:
        print(f"\ninterrupted during epoch {epoch}; --resume {os.path.join(args.out, 'last.pt')} "
              f"continues after the last finished epoch")
        raise SystemExit(130)

    if not stopping["stopped"] and len(metrics["epochs"]) < args.epochs:
        print(f"stopped after epoch {len(metrics['epochs'])} (--stop-after); continue with "
              f"--resume {os.path.join(args.out, 'last.pt')}")
        save_json(metrics, os.path.join(args.out, "metrics.json"))
        save_json(timings, os.path.join(args.out, "timings.json"))
        return metrics
    if stopping["stopped"]:
        print(f"early stop: no val-loss improvement for {args.patience} epochs")
    return finish(args, model, splits, classes, metrics, stopping, timings, loss_fn)


def finish(args, model, splits, classes, metrics, stopping, timings, loss_fn):
    """Test the best model; write metrics.json, timings.json and the pictures; print results."""
    best = os.path.join(args.out, "best.pt")
    if os.path.exists(best):
        model.load_state_dict(autograd.load(best)["model"])
    test_loss, test_acc, confusion = evaluate(model, splits["test"], classes)
    metrics.update(best_epoch=stopping["best_epoch"], best_val_loss=stopping["best_val_loss"],
                   stopped_early=stopping["stopped"], test_loss=test_loss,
                   test_accuracy=test_acc, confusion_matrix=confusion)
    save_json(metrics, os.path.join(args.out, "metrics.json"))
    timings["total_seconds"] = sum(e["seconds"] for e in timings["epochs"])
    save_json(timings, os.path.join(args.out, "timings.json"))

    last = metrics["diagnostics"][-1]["layers"] if metrics["diagnostics"] else []
    if not args.no_plots:
        _plots.plot_curves(metrics, os.path.join(args.out, "curves.png"))
        _plots.plot_diagnostics(metrics["diagnostics"], os.path.join(args.out, "diagnostics.png"),
                                title="training diagnostics (first step of each epoch)")
        draw_training_step(model, splits["train"], loss_fn, os.path.join(args.out, "graph.png"))

    print(f"\ntraining diagnostics, first step of epoch {metrics['diagnostics'][-1]['epoch']}:"
          if last else "")
    print(_plots.format_table(last, DIAGNOSTIC_COLUMNS))
    print(f"\nbest epoch {stopping['best_epoch']} (val loss {stopping['best_val_loss']:.4f}); "
          f"test loss {test_loss:.4f}, test accuracy {100 * test_acc:.2f}% on "
          f"{len(splits['test'])} images")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print(_plots.format_confusion(confusion))
    pictures = "" if args.no_plots else "curves.png, graph.png, diagnostics.png, "
    print(f"wrote {pictures}metrics.json, timings.json, best.pt, last.pt to {args.out} "
          f"({timings['total_seconds']:.1f}s of training)")
    return metrics


def draw_training_step(model, dataset, loss_fn, path, batch=16):
    """graph.png: one training step (forward, loss, backward) of a copy of the model, each
    submodule's ops in a cluster and each parameter with its gradient's norm."""
    from autograd import viz
    net = copy.deepcopy(model)
    net.train()
    xb, yb = (t[:batch] for t in dataset.tensors)
    rng_state = autograd.get_rng_state()  # dropout draws here must not change anything else
    try:
        loss = loss_fn(net(xb), yb)
        loss.backward()
        viz.render(loss, path=path, params=net, module_name="net", show_grads=True,
                   title=f"one training step (batch of {batch}), gradient norms after backward")
    except (viz.GraphvizNotFoundError, ImportError) as e:
        print(f"graph.png skipped: {e}")  # everything else is written already
        return None
    finally:
        autograd.set_rng_state(rng_state)
    return path


# ---------------------------------------------------------------------------------- diagnostics
DIAGNOSTIC_COLUMNS = [("name", "layer", "s"), ("type", "type", "s"), ("mean", "act mean", "+.3f"),
                      ("std", "act std", ".3f"), ("dead_fraction", "dead", ".1%"),
                      ("grad_norm", "grad norm", ".2e"), ("update_ratio", "update/weight", ".2e")]


if __name__ == "__main__":
    main()
