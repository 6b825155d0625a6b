"""Rows and the markdown table.

A row holds numbers already in its unit (ms, µs/op, MB, ...): the engine's median and
interquartile range, the NumPy baseline's median, PyTorch's median (None when absent) and the
ratios engine / NumPy and engine / PyTorch. The ratio of minima (best engine time over best
NumPy time) is shown beside the median ratio: on a shared machine it is the steadier figure.
"""
import math

from ._timing import quantiles

SCALE = {"s": 1.0, "ms": 1e3, "µs": 1e6, "µs/op": 1e6, "µs/node": 1e6}


def row(workload, size, unit, engine, numpy, torch=None, notes="", per=1):
    """Build a row from samples. `engine`, `numpy`, `torch` are lists of seconds (for time
    units; divided by `per`, e.g. ops per sample) or lists of plain values in `unit` (memory,
    page faults); `torch` may be None. unit="time" picks ms or µs from the engine's median."""
    scale = SCALE.get(unit)

    def conv(samples):
        if samples is None:
            return None
        if scale is None:
            return list(samples)
        return [s * scale / per for s in samples]

    if unit == "time":  # pick ms or µs from the engine's median
        unit = "ms" if quantiles(engine)[0] / per >= 1e-3 else "µs"
        scale = SCALE[unit]
    e, n, t = conv(engine), conv(numpy), conv(torch)
    em, eq1, eq3, emin, emax = quantiles(e)
    nq, tq = quantiles(n), (quantiles(t) if t else None)
    nm, tm = nq[0], (tq[0] if tq else None)
    return {
        "workload": workload, "size": str(size), "unit": unit,
        "engine": em, "engine_q1": eq1, "engine_q3": eq3, "engine_min": emin,
        "engine_max": emax, "repeats": len(e),
        "numpy": nm, "torch": tm,
        "numpy_min": nq[3], "torch_min": tq[3] if tq else None,
        "ratio": _ratio(em, nm), "torch_ratio": _ratio(em, tm) if tm is not None else None,
        "ratio_of_minima": _ratio(emin, nq[3]),
        "notes": notes,
    }


def _ratio(a, b):
    if b is None or a is None:
        return None
    if b == 0:
        return 1.0 if a == 0 else math.inf
    return a / b


def _fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def _with_unit(v, unit):
    s = _fmt(v)
    return s if s == "n/a" else f"{s} {unit}"


def _ratio_cell(r):
    if r is None:
        return "n/a"
    if math.isinf(r):
        return "inf"
    return f"{r:.2f}x"


def markdown(rows):
    lines = ["| workload | size | tapegrad (median) | spread (IQR) | NumPy | ratio | "
             "ratio of minima | PyTorch | vs PyTorch | notes |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        unit = r["unit"]
        spread = best = "–"
        if r["repeats"] > 1 and unit in SCALE:
            spread = f"{_fmt(r['engine_q1'])}–{_fmt(r['engine_q3'])}"
            best = _ratio_cell(r["ratio_of_minima"])
        lines.append("| " + " | ".join([
            r["workload"], r["size"], _with_unit(r["engine"], unit), spread,
            _with_unit(r["numpy"], unit), _ratio_cell(r["ratio"]), best,
            _with_unit(r["torch"], unit), _ratio_cell(r["torch_ratio"]),
            r["notes"].replace("|", "/"),
        ]) + " |")
    return "\n".join(lines)
