"""Per-batch cyclical schedules: `CyclicLR`, `OneCycleLR` (both cycle momentum or beta1), and
linear warmup plus cosine decay (`WarmupCosineLR`, `warmup_cosine`). Re-exported by
`optim.lr_scheduler`."""
import math
import types

from .lr_scheduler import LRScheduler, _check_optimizer, _per_group

__all__ = ["CyclicLR", "OneCycleLR", "WarmupCosineLR", "warmup_cosine"]


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017) between `base_lr` and `max_lr`, stepped per batch.

    With `cycle = floor(1 + e / (up + down))`, `x` the position within the cycle and
    `s = x / ratio` rising, `(x - 1) / (ratio - 1)` falling (`ratio = up / (up + down)`):
    `lr = base_lr + (max_lr - base_lr) * s * scale`, scale 1 ('triangular'),
    `1 / 2 ** (cycle - 1)` ('triangular2'), `gamma ** e` ('exp_range') or `scale_fn`.
    Momentum (or beta1) cycles inversely between `max_momentum` and `base_momentum`.

    Example:
        >>> sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = _per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"mode {mode!r} is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums,
                                                optimizer.param_groups):
                    _set_momentum(group, m_max, self.use_beta1)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * scale_factor * scale
               for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, m_base, m_max in zip(self.optimizer.param_groups, self.base_momentums,
                                            self.max_momentums):
                _set_momentum(group, m_max - (m_max - m_base) * scale_factor * scale,
                              self.use_beta1)
        return lrs

    def state_dict(self):
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = dict(fn.__dict__)
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        fn_state = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn_state is not None:
            self._scale_fn_custom.__dict__.update(fn_state)


def _set_momentum(group, value, use_beta1):
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped per batch.

    The lr goes from `max_lr / div_factor` up to `max_lr` over the first `pct_start` of the
    steps, then down to `initial_lr / final_div_factor` (three_phase: back to the initial lr,
    then down to the minimum), annealed by cosine (`end + (start - end) (1 + cos(pi t)) / 2`)
    or linearly, t being the fraction of the phase done. Momentum (or beta1) moves inversely
    between `max_momentum` and `base_momentum`.

    Example:
        >>> sched = OneCycleLR(opt, max_lr=0.1, total_steps=1000)
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND "
                             "steps_per_epoch)")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self.anneal_strategy = anneal_strategy
        n = self.total_steps
        if three_phase:
            self._phases = [
                (float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum",
                 "base_momentum"),
                (float(2 * pct_start * n) - 2, "max_lr", "initial_lr", "base_momentum",
                 "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [
                (float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum",
                 "base_momentum"),
                (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                for m_max, m_base, group in zip(
                        _per_group("max_momentum", optimizer, max_momentum),
                        _per_group("base_momentum", optimizer, base_momentum),
                        optimizer.param_groups):
                    _set_momentum(group, m_max, self.use_beta1)
                    group["max_momentum"] = m_max
                    group["base_momentum"] = m_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps "
                             f"is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if step <= end or i == len(self._phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        _set_momentum(group, self._anneal(group[m0], group[m1], pct),
                                      self.use_beta1)
                    break
                start = end
        return lrs


class WarmupCosineLR(LRScheduler):
    """Linear warmup then cosine decay: `lr = base_lr * e / warmup_steps` for
    `e < warmup_steps`, then `min_lr + (base_lr - min_lr) * (1 + cos(pi * p)) / 2` with
    `p = min(1, (e - warmup_steps) / (total_steps - warmup_steps))`, so the lr stays at
    `min_lr` after `total_steps`.

    Example:
        >>> sched = warmup_cosine(opt, warmup_steps=100, total_steps=1000, min_lr=1e-5)
    """

    def __init__(self, optimizer, warmup_steps, total_steps, min_lr=0.0, last_epoch=-1):
        if not isinstance(warmup_steps, int) or warmup_steps < 0:
            raise ValueError(f"Expected non-negative integer warmup_steps, but got "
                             f"{warmup_steps}")
        if not isinstance(total_steps, int) or total_steps <= warmup_steps:
            raise ValueError(f"Expected integer total_steps > warmup_steps={warmup_steps}, but "
                             f"got {total_steps}")
        _check_optimizer(optimizer)
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.min_lrs = _per_group("min_lr", optimizer, min_lr)
        for m in self.min_lrs:
            if m < 0:
                raise ValueError(f"Expected min_lr >= 0, but got {m}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return self._closed_form_lr()

    def _closed_form_lr(self):
        e = self.last_epoch
        if e < self.warmup_steps:
            return [base * e / self.warmup_steps for base in self.base_lrs]
        p = min(1.0, (e - self.warmup_steps) / (self.total_steps - self.warmup_steps))
        c = (1 + math.cos(math.pi * p)) / 2
        return [m + (base - m) * c for base, m in zip(self.base_lrs, self.min_lrs)]


def warmup_cosine(optimizer, warmup_steps, total_steps, min_lr=0.0):
    """A `WarmupCosineLR`: linear warmup from 0 over `warmup_steps`, cosine decay to `min_lr`
    at `total_steps` (step it once per batch)."""
    return WarmupCosineLR(optimizer, warmup_steps, total_steps, min_lr)
