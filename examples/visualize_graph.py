"""Pictures of computation graphs with `autograd.viz`.

    python examples/visualize_graph.py --out docs/images

writes three images to the output folder:

* `mlp_forward.png`: one training step of a small MLP (cross-entropy loss), before backward,
  with the bytes each op saved for backward;
* `mlp_graph.png`: the same step after backward, each parameter annotated with its gradient's
  norm (the README picture); a NaN gradient would be red, a vanishing one orange;
* `hvp_graph.png`: a Hessian-vector product: the graph of `<grad(loss, params), v>`, built with
  `create_graph=True`, so it holds the backward ops as well as the forward ones; after its own
  backward each parameter's `.grad` is H v.

The MLP is built from raw autograd ops (`linear`, `relu`, `log_softmax`), so the picture shows
exactly the ops a training step records.
"""
import argparse
import os

import numpy as np

import autograd
from autograd import viz


def make_mlp(sizes, rng):
    """Parameters of an MLP with layer sizes `sizes`, PyTorch's init and names (`0.weight`)."""
    params = {}
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        params[f"{2 * k}.weight"] = autograd.tensor(w, requires_grad=True)
        params[f"{2 * k}.bias"] = autograd.tensor(b, requires_grad=True)
    return params


def mlp(params, x, activation="relu"):
    """x: (N, D_in) -> logits (N, D_out): linear layers with `activation` in between."""
    layers = len(params) // 2
    h = x
    for k in range(layers):
        h = autograd.linear(h, params[f"{2 * k}.weight"], params[f"{2 * k}.bias"])
        if k < layers - 1:
            h = h.relu() if activation == "relu" else h.tanh()
    return h


def cross_entropy(logits, labels):
    """Mean negative log-likelihood of integer `labels` under softmax(`logits`)."""
    picked = autograd.log_softmax(logits, dim=1).gather(1, labels.reshape(-1, 1))
    return -picked.mean()


def training_step_pictures(out, sizes, batch, rng):
    """The forward graph (with saved bytes) and the graph after backward (with grad norms)."""
    params = make_mlp(sizes, rng)
    x = autograd.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = autograd.tensor(rng.integers(0, sizes[-1], batch))
    loss = cross_entropy(mlp(params, x), y)
    options = dict(params=params, module_name="net", title="one MLP training step")
    forward = viz.render(loss, path=os.path.join(out, "mlp_forward.png"), show_saved=True,
                         **options)
    loss.backward()
    after = viz.render(loss, path=os.path.join(out, "mlp_graph.png"), show_grads=True,
                       **options)
    return forward, after


def hvp_picture(out, sizes, batch, rng):
    """The graph of <grad(loss), v>, whose gradient is the Hessian-vector product H v."""
    params = make_mlp(sizes, rng)
    x = autograd.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    target = autograd.tensor(rng.standard_normal((batch, sizes[-1])).astype(np.float32))
    loss = ((mlp(params, x, activation="tanh") - target) ** 2).mean()
    grads = autograd.grad(loss, list(params.values()), create_graph=True)
    vs = [autograd.tensor(rng.standard_normal(p.shape).astype(np.float32)) for p in params.values()]
    grad_dot_v = sum((g * v).sum() for g, v in zip(grads, vs))
    grad_dot_v.backward()  # each parameter's .grad is now H v
    return viz.render(grad_dot_v, path=os.path.join(out, "hvp_graph.png"), params=params,
                      module_name="net", show_grads=True,
                      title="Hessian-vector product: graph of <grad(loss), v>")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="runs/graphs", help="folder for the images")
    parser.add_argument("--sizes", default="784,128,10",
                        help="MLP layer sizes, comma separated (default 784,128,10)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    paths = list(training_step_pictures(args.out, sizes, args.batch, rng))
    paths.append(hvp_picture(args.out, [sizes[0], 16, sizes[-1]], min(args.batch, 8), rng))
    for p in paths:
        print(f"wrote {p} ({os.path.getsize(p) / 1024:.0f} KiB)")
    return paths


if __name__ == "__main__":
    main()
