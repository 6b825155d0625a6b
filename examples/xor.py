"""XOR: the problem a linear model cannot solve and one hidden layer can, with decision boundaries.

    python examples/xor.py --out runs/xor

Four noisy clusters at the corners of a square, labelled by the XOR of their coordinates' signs.
Two models train on them with the same loop (Adam, binary cross-entropy on logits, full batch):
logistic regression (no hidden layer: its boundary is a straight line, so it stays near 50%
accuracy) and a 2-H-1 tanh MLP (H = --hidden, default 8), which bends its boundary around the
clusters. Writes `xor.png`: both decision boundaries over the data and both loss curves.
"""
import argparse
import os

import numpy as np

import autograd
import nn
import optim


def make_xor(n, noise, rng):
    """n points around (+-1, +-1); label 1 where the signs differ. x: (n, 2) float32, y: (n,)."""
    corners = rng.integers(0, 2, size=(n, 2))
    x = (2 * corners - 1) + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(np.float32)
    return x.astype(np.float32), y


def train(model, x, y, steps, lr):
    """Full-batch Adam on binary cross-entropy with logits; returns the loss per step."""
    opt = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x).reshape(-1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def accuracy(model, x, y):
    with autograd.no_grad():
        pred = model(x).reshape(-1).numpy() > 0
    return float((pred == (y.numpy() > 0.5)).mean())


def plot(models, x, y, path):
    """Decision boundary of each model over the data, and the loss curves."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = np.linspace(-2.5, 2.5, 201, dtype=np.float32)
    gx, gy = np.meshgrid(xs, xs)
    grid = autograd.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))
    fig, axes = plt.subplots(1, len(models) + 1, figsize=(4.2 * (len(models) + 1), 3.9), dpi=90)
    xn, yn = x.numpy(), y.numpy()
    for ax, (name, model, losses, acc) in zip(axes, models):
        with autograd.no_grad():
            prob = autograd.sigmoid(model(grid)).numpy().reshape(gx.shape)
        ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
        ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1.5)
        ax.scatter(xn[:, 0], xn[:, 1], c=yn, cmap="RdBu_r", edgecolors="k", s=14,
                   linewidths=0.4)
        ax.set(title=f"{name}: {100 * acc:.1f}% accuracy", xlim=(-2.5, 2.5), ylim=(-2.5, 2.5),
               aspect="equal")
    ax = axes[-1]
    for name, _, losses, _ in models:
        ax.plot(losses, label=name)
    ax.set(title="training loss", xlabel="step", ylabel="binary cross-entropy")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="runs/xor", help="output folder (default runs/xor)")
    parser.add_argument("--points", type=int, default=400, help="data set size (default 400)")
    parser.add_argument("--noise", type=float, default=0.35, help="cluster spread (default 0.35)")
    parser.add_argument("--hidden", type=int, default=8, help="MLP hidden units (default 8)")
    parser.add_argument("--steps", type=int, default=500, help="Adam steps (default 500)")
    parser.add_argument("--lr", type=float, default=0.05, help="learning rate (default 0.05)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    autograd.manual_seed(args.seed)
    xn, yn = make_xor(args.points, args.noise, np.random.default_rng(args.seed))
    x, y = autograd.from_numpy(xn), autograd.from_numpy(yn)
    models = []
    for name, model in (("logistic regression", nn.Linear(2, 1)),
                        (f"MLP 2-{args.hidden}-1", nn.MLP(2, [args.hidden], 1,
                                                          activation=nn.Tanh))):
        losses = train(model, x, y, args.steps, args.lr)
        acc = accuracy(model, x, y)
        models.append((name, model, losses, acc))
        print(f"{name:>20}: final loss {losses[-1]:.4f}, accuracy {100 * acc:.1f}%")
    os.makedirs(args.out, exist_ok=True)
    path = plot(models, x, y, os.path.join(args.out, "xor.png"))
    print(f"wrote {path}")
    return {name: {"loss": losses, "accuracy": acc} for name, _, losses, acc in models} | \
        {"path": path}


if __name__ == "__main__":
    main()
