"""NumPy re-implementations of the optimizers, written from the published algorithms (PyTorch's
documented pseudo-code, the Lion and LAMB papers), independently of `optim`.

Each `ref_<name>(theta0, grad_fn, steps, **hp)` runs `steps` updates on a list of float64
arrays and returns the final list. They are written for readability, one line per line of the
pseudo-code, with fresh arrays everywhere (no in-place tricks), so they share no code path with
the implementations under test. `grad_fn(thetas, k)` returns the gradients at step k.
"""
import math

import numpy as np


def grad_problem(seed=0, shapes=((3, 4), (5,)), dtype=np.float64):
    """Initial parameters and a deterministic, nonlinear gradient function of them."""
    rng = np.random.default_rng(seed)
    theta0 = [rng.standard_normal(s).astype(dtype) for s in shapes]
    target = [rng.standard_normal(s).astype(dtype) for s in shapes]
    scale = [rng.uniform(0.5, 2.0, s).astype(dtype) for s in shapes]

    def grad_fn(thetas, k):
        return [np.asarray(sc * (th - tg) + 0.1 * np.sin(th + k), dtype=dtype)
                for th, tg, sc in zip(thetas, target, scale)]
    return theta0, grad_fn


def _run(theta0, grad_fn, steps, init, update, maximize=False):
    thetas = [np.array(t, dtype=np.float64) for t in theta0]
    states = [init(t) for t in thetas]
    for k in range(steps):
        grads = grad_fn(thetas, k)
        new = []
        for t, (th, g, st) in enumerate(zip(thetas, grads, states)):
            g = -g if maximize else g
            new.append(update(th, g, st, k + 1))
        thetas = new
    return thetas


def ref_sgd(theta0, grad_fn, steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
            nesterov=False, maximize=False):
    def update(th, g, st, t):
        if weight_decay != 0:
            g = g + weight_decay * th
        if momentum != 0:
            st["b"] = g if t == 1 else momentum * st["b"] + (1 - dampening) * g
            g = g + momentum * st["b"] if nesterov else st["b"]
        return th - lr * g
    return _run(theta0, grad_fn, steps, lambda th: {}, update, maximize)


def ref_adam(theta0, grad_fn, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, maximize=False, decoupled=False):
    b1, b2 = betas

    def update(th, g, st, t):
        if decoupled:
            th = th - lr * weight_decay * th
        elif weight_decay != 0:
            g = g + weight_decay * th
        st["m"] = b1 * st["m"] + (1 - b1) * g
        st["v"] = b2 * st["v"] + (1 - b2) * g ** 2
        m_hat = st["m"] / (1 - b1 ** t)
        if amsgrad:
            st["vmax"] = np.maximum(st["vmax"], st["v"])
            v_hat = st["vmax"] / (1 - b2 ** t)
        else:
            v_hat = st["v"] / (1 - b2 ** t)
        return th - lr * m_hat / (np.sqrt(v_hat) + eps)
    init = lambda th: {"m": np.zeros_like(th), "v": np.zeros_like(th), "vmax": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_adamw(theta0, grad_fn, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
              amsgrad=False, maximize=False):
    return ref_adam(theta0, grad_fn, steps, lr, betas, eps, weight_decay, amsgrad, maximize,
                    decoupled=True)


def ref_adamax(theta0, grad_fn, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               maximize=False):
    b1, b2 = betas

    def update(th, g, st, t):
        if weight_decay != 0:
            g = g + weight_decay * th
        st["m"] = b1 * st["m"] + (1 - b1) * g
        st["u"] = np.maximum(b2 * st["u"], np.abs(g) + eps)
        return th - lr * st["m"] / ((1 - b1 ** t) * st["u"])
    init = lambda th: {"m": np.zeros_like(th), "u": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_nadam(theta0, grad_fn, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    mu = lambda t: b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))

    def update(th, g, st, t):
        if weight_decay != 0:
            if decoupled_weight_decay:
                th = th - lr * weight_decay * th
            else:
                g = g + weight_decay * th
        prod_t = math.prod(mu(i) for i in range(1, t + 1))
        prod_next = prod_t * mu(t + 1)
        st["m"] = b1 * st["m"] + (1 - b1) * g
        st["v"] = b2 * st["v"] + (1 - b2) * g ** 2
        m_hat = mu(t + 1) * st["m"] / (1 - prod_next) + (1 - mu(t)) * g / (1 - prod_t)
        v_hat = st["v"] / (1 - b2 ** t)
        return th - lr * m_hat / (np.sqrt(v_hat) + eps)
    init = lambda th: {"m": np.zeros_like(th), "v": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_radam(theta0, grad_fn, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas
    rho_inf = 2 / (1 - b2) - 1

    def update(th, g, st, t):
        if weight_decay != 0:
            if decoupled_weight_decay:
                th = th - lr * weight_decay * th
            else:
                g = g + weight_decay * th
        st["m"] = b1 * st["m"] + (1 - b1) * g
        st["v"] = b2 * st["v"] + (1 - b2) * g ** 2
        m_hat = st["m"] / (1 - b1 ** t)
        rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2 ** t) / (np.sqrt(st["v"]) + eps)
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            return th - lr * m_hat * r_t * l_t
        return th - lr * m_hat
    init = lambda th: {"m": np.zeros_like(th), "v": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_rmsprop(theta0, grad_fn, steps, lr, alpha=0.99, eps=1e-8, weight_decay=0.0,
                momentum=0.0, centered=False, maximize=False):
    def update(th, g, st, t):
        if weight_decay != 0:
            g = g + weight_decay * th
        st["v"] = alpha * st["v"] + (1 - alpha) * g ** 2
        v_tilde = st["v"]
        if centered:
            st["g_ave"] = st["g_ave"] * alpha + (1 - alpha) * g
            v_tilde = v_tilde - st["g_ave"] ** 2
        if momentum > 0:
            st["b"] = momentum * st["b"] + g / (np.sqrt(v_tilde) + eps)
            return th - lr * st["b"]
        return th - lr * g / (np.sqrt(v_tilde) + eps)
    init = lambda th: {"v": np.zeros_like(th), "b": np.zeros_like(th), "g_ave": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_adagrad(theta0, grad_fn, steps, lr, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    def update(th, g, st, t):
        clr = lr / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * th
        st["sum"] = st["sum"] + g ** 2
        return th - clr * g / (np.sqrt(st["sum"]) + eps)
    init = lambda th: {"sum": np.full_like(th, initial_accumulator_value)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_adadelta(theta0, grad_fn, steps, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0,
                 maximize=False):
    def update(th, g, st, t):
        if weight_decay != 0:
            g = g + weight_decay * th
        st["v"] = st["v"] * rho + g ** 2 * (1 - rho)
        dx = np.sqrt(st["u"] + eps) / np.sqrt(st["v"] + eps) * g
        st["u"] = st["u"] * rho + dx ** 2 * (1 - rho)
        return th - lr * dx
    init = lambda th: {"v": np.zeros_like(th), "u": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_lion(theta0, grad_fn, steps, lr, betas=(0.9, 0.99), weight_decay=0.0, maximize=False):
    """Chen et al. 2023, Algorithm 2 (Lion with decoupled weight decay)."""
    b1, b2 = betas

    def update(th, g, st, t):
        c = b1 * st["m"] + (1 - b1) * g
        th = th - lr * (np.sign(c) + weight_decay * th)
        st["m"] = b2 * st["m"] + (1 - b2) * g
        return th
    return _run(theta0, grad_fn, steps, lambda th: {"m": np.zeros_like(th)}, update, maximize)


def ref_lamb(theta0, grad_fn, steps, lr, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0,
             bias_correction=True, maximize=False):
    """You et al. 2020, Algorithm 2 (LAMB), phi = identity, trust ratio 1 for a zero norm."""
    b1, b2 = betas

    def update(th, g, st, t):
        st["m"] = b1 * st["m"] + (1 - b1) * g
        st["v"] = b2 * st["v"] + (1 - b2) * g ** 2
        m_hat = st["m"] / (1 - b1 ** t) if bias_correction else st["m"]
        v_hat = st["v"] / (1 - b2 ** t) if bias_correction else st["v"]
        r = m_hat / (np.sqrt(v_hat) + eps) + weight_decay * th
        w_norm, r_norm = np.linalg.norm(th), np.linalg.norm(r)
        trust = w_norm / r_norm if w_norm > 0 and r_norm > 0 else 1.0
        return th - lr * trust * r
    init = lambda th: {"m": np.zeros_like(th), "v": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_adafactor(theta0, grad_fn, steps, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                  weight_decay=0.0, maximize=False):
    """PyTorch's documented Adafactor: row/column means of G^2 for matrices, eps1 applied to
    the variance estimate and to sqrt(V), relative step min(lr, 1/sqrt(t)) times max(eps2,
    RMS(theta)), update clipping at RMS d, decoupled decay lr * weight_decay."""
    eps1, eps2 = eps
    rms = lambda x: math.sqrt(float(np.mean(x ** 2)))

    def update(th, g, st, t):
        e1 = np.finfo(th.dtype).eps if eps1 is None else eps1
        beta2_t = 1 - t ** beta2_decay
        rho_t = min(lr, 1 / math.sqrt(t))
        alpha_t = max(eps2, rms(th)) * rho_t
        th = th - lr * weight_decay * th
        if g.ndim > 1:
            st["R"] = beta2_t * st["R"] + (1 - beta2_t) * np.mean(g ** 2, axis=-1, keepdims=True)
            st["C"] = beta2_t * st["C"] + (1 - beta2_t) * np.mean(g ** 2, axis=-2, keepdims=True)
            v_hat = st["R"] * st["C"] / max(float(np.mean(st["R"])), e1)
        else:
            st["V"] = beta2_t * st["V"] + (1 - beta2_t) * g ** 2
            v_hat = st["V"]
        u = g / np.maximum(np.sqrt(v_hat), e1)
        u_hat = u / max(1.0, rms(u) / d)
        return th - alpha_t * u_hat

    def init(th):
        if th.ndim > 1:
            return {"R": np.zeros(th.shape[:-1] + (1,)), "C": np.zeros(th.shape[:-2] + (1,) +
                                                                         th.shape[-1:])}
        return {"V": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_rprop(theta0, grad_fn, steps, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0),
              maximize=False):
    def update(th, g, st, t):
        agree = g * st["prev"]
        factor = np.where(agree > 0, etas[1], np.where(agree < 0, etas[0], 1.0))
        st["size"] = np.clip(st["size"] * factor, *step_sizes)
        st["prev"] = np.where(agree < 0, 0.0, g)
        return th - np.sign(st["prev"]) * st["size"]
    init = lambda th: {"size": np.full_like(th, lr), "prev": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)


def ref_asgd(theta0, grad_fn, steps, lr=0.01, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0,
             maximize=False):
    # eta and mu are float32 scalars in PyTorch's state, whatever the parameters' dtype
    def update(th, g, st, t):
        if weight_decay != 0:
            g = g + weight_decay * th
        eta, mu = float(st["eta"]), float(st["mu"])
        th = th * (1 - lambd * eta) - eta * g
        st["ax"] = th.copy() if mu == 1 else st["ax"] + mu * (th - st["ax"])
        st["eta"] = np.float32(lr / (1 + lambd * lr * t) ** alpha)
        st["mu"] = np.float32(1 / max(1, t - t0))
        return th
    init = lambda th: {"eta": np.float32(lr), "mu": np.float32(1.0), "ax": np.zeros_like(th)}
    return _run(theta0, grad_fn, steps, init, update, maximize)
