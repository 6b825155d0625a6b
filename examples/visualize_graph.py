"""Pictures of computation graphs with `autograd.viz`.

Run from the repository root,

    python examples/visualize_graph.py --out docs/images

regenerates the README picture (docs/images/mlp_graph.png) and two more; it writes:

* `mlp_forward.png`: one training step of a small MLP (cross-entropy loss), before backward,
  with the bytes each op saved for backward;
* `mlp_graph.png`: the same step after backward, each parameter annotated with its gradient's
  norm (the README picture); a NaN gradient would be red, a vanishing one orange;
* `hvp_graph.png`: a Hessian-vector product: the graph of `<grad(loss, params), v>`, built with
  `create_graph=True`, so it holds the backward ops as well as the forward ones; after its own
  backward each parameter's `.grad` is H v.

The model is an `nn.Sequential`, so the ops of each layer are drawn inside a box labelled
with the layer (`net.0: Linear(784 → 128)`).
"""
import argparse
import os

import numpy as np

import autograd
import nn
import nn.functional as F
from autograd import viz


def make_mlp(sizes, activation=nn.ReLU):
    layers = []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if k:
            layers.append(activation())
        layers.append(nn.Linear(fan_in, fan_out))
    return nn.Sequential(*layers)


def training_step_pictures(out, sizes, batch, rng):
    """The forward graph (with saved bytes) and the graph after backward (with grad norms)."""
    model = make_mlp(sizes)
    x = autograd.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = autograd.tensor(rng.integers(0, sizes[-1], batch))
    options = dict(loss_fn=lambda logits: F.cross_entropy(logits, y), module_name="net")
    forward = model.draw(x, os.path.join(out, "mlp_forward.png"), show_saved=True,
                         title="one MLP training step: bytes saved for backward", **options)
    after = model.draw(x, os.path.join(out, "mlp_graph.png"), show_grads=True,
                       title="one MLP training step: gradient norms after backward", **options)
    return forward, after


def hvp_picture(out, sizes, batch, rng):
    """The graph of <grad(loss), v>, whose gradient is the Hessian-vector product H v."""
    model = make_mlp(sizes, activation=nn.Tanh)
    params = list(model.parameters())
    x = autograd.tensor(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    target = autograd.tensor(rng.standard_normal((batch, sizes[-1])).astype(np.float32))
    loss = F.mse_loss(model(x), target)
    grads = autograd.grad(loss, params, create_graph=True)
    vs = [autograd.tensor(rng.standard_normal(p.shape).astype(np.float32)) for p in params]
    grad_dot_v = sum((g * v).sum() for g, v in zip(grads, vs))
    grad_dot_v.backward()  # each parameter's .grad is now H v
    return viz.render(grad_dot_v, path=os.path.join(out, "hvp_graph.png"), params=model,
                      module_name="net", show_grads=True,
                      title="Hessian-vector product: the graph of <grad(loss), v>; "
                            "after its backward, each .grad is H v")


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
    autograd.manual_seed(args.seed)  # layer initialisation: the same pictures every run
    paths = list(training_step_pictures(args.out, sizes, args.batch, rng))
    paths.append(hvp_picture(args.out, [sizes[0], 16, sizes[-1]], min(args.batch, 8), rng))
    for p in paths:
        print(f"wrote {p} ({os.path.getsize(p) / 1024:.0f} KiB)")
    return paths


if __name__ == "__main__":
    main()
