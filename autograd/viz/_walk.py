"""Walking a graph without recursion, and collapsing it when it is too big to draw.

`collect` numbers every op node and leaf reachable from the roots in breadth-first order, so a
node's number depends only on the graph's structure (never on `id()` or on `_seq`): the same
graph always gets the same numbers. Edges point the way data flows, producer -> consumer.

`collapse` makes a `View` of at most `budget` items. It first summarises runs of repeated ops:
a *spine* is a path of ops where each one's only consumer is the next; a stretch of a spine whose
op types repeat with a short period (`Mul, Mul, ...` or `MatMul, Add, Tanh, MatMul, Add, ...`)
keeps its first and last period and folds the periods in between into one item, together with
the side inputs used only by them (per-step weights, inputs, small subgraphs). If that is not
enough, the items farthest from the outputs are merged into one "hidden" item. Both steps are
array operations or loops over the graph; nothing recurses, so a million-node chain is fine.
"""
import numpy as np

MAX_PERIOD = 8      # longest repeated block (in ops) looked for along a spine
MIN_PERIODS = 5     # a run must repeat this often: first and last period stay, >= 3 fold


class Graph:
    """Nodes reachable from some roots, numbered breadth-first from the roots.

    Attributes:
        objs: op nodes and leaf Tensors; a node's number is its position.
        src, dst: int arrays; edge k carries the output of objs[src[k]] into objs[dst[k]].
            Edges are grouped by consumer (in increasing number) and, within a consumer, follow
            the order of its inputs.
        estart: int array, len(objs) + 1; the edges into node i are estart[i]:estart[i + 1].
        roots: per root, the number of the node producing it (or None).
    """

    def __init__(self, objs, src, dst, estart, roots):
        self.objs = objs
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        self.estart = np.asarray(estart, dtype=np.int64)
        self.roots = roots


def collect(roots):
    """Breadth-first walk from `roots` (Tensors or nodes) along `_next`."""
    objs = []
    index = {}
    root_ids = []
    for r in roots:
        start = _start_of(r)
        if start is None:
            root_ids.append(None)
            continue
        k = index.get(id(start))
        if k is None:
            k = index[id(start)] = len(objs)
            objs.append(start)
        root_ids.append(k)
    src, dst, estart = [], [], []
    i = 0
    while i < len(objs):
        obj = objs[i]
        estart.append(len(src))
        if obj._is_node:
            for e in obj._next:
                if e is None:
                    continue
                k = index.get(id(e))
                if k is None:
                    k = index[id(e)] = len(objs)
                    objs.append(e)
                src.append(k)
                dst.append(i)
        i += 1
    estart.append(len(src))
    return Graph(objs, src, dst, estart, root_ids)


def _start_of(root):
    if getattr(root, "_is_node", False):
        return root
    if root.grad_fn is not None:
        return root.grad_fn
    return root if root._requires_grad else None


# ---------------------------------------------------------------------- the drawn view
class Run:
    """Folded middle periods of a repeated run: `count` periods of `pattern`, plus `side`
    nodes (inputs used only by those periods). `members` are the folded spine nodes in data-flow
    order."""

    def __init__(self, pattern, count, members):
        self.pattern = pattern
        self.count = count
        self.members = members
        self.side = 0


class Hidden:
    """The nodes dropped to stay within the budget, drawn as one item."""

    def __init__(self, count):
        self.count = count


class View:
    """What gets drawn: `items` (a node number, a `Run` or a `Hidden`), `edges` between item
    positions, and how many graph nodes are not drawn individually."""

    def __init__(self, items, edges, hidden=0, collapsed=False):
        self.items = items
        self.edges = edges
        self.hidden = hidden
        self.collapsed = collapsed
        self.item_of_root = None


def full_view(graph):
    view = View(list(range(len(graph.objs))), list(zip(graph.src.tolist(), graph.dst.tolist())))
    view.item_of_root = list(graph.roots)
    return view


def collapse(graph, budget):
    """A view of at most `budget` items (at least one is always kept)."""
    objs = graph.objs
    n = len(objs)
    src, dst = graph.src, graph.dst
    is_node = np.fromiter((o._is_node for o in objs), dtype=bool, count=n)
    tid = _type_ids(objs, is_node)
    pinned = np.zeros(n, dtype=bool)
    pinned[[r for r in graph.roots if r is not None]] = True
    consumer = _single_consumer(src, dst, n)
    consumer[pinned] = -1  # a root also feeds its output: never folded into a run

    group = np.full(n, -1, dtype=np.int64)
    runs = []
    for spine in _spines(src, dst, is_node, consumer, n):
        # NOTE: scanned from the output end, so a folded block ends where a step's output
        # leaves it (an RNN step reads MatMul -> Add -> Tanh, not Add -> Tanh -> MatMul).
        for end, period, length in _periodic_runs(tid[spine][::-1]):
            start = len(spine) - end - length
            pinned[spine[start:start + period]] = True
            pinned[spine[start + length - period:start + length]] = True
            members = spine[start + period:start + length - period]
            group[members] = len(runs)
            pattern = [_type_name(objs[k]) for k in members[:period]]
            runs.append(Run(pattern, len(members) // period, members))
    if runs:
        _absorb_side_inputs(graph, group, consumer, pinned, runs)

    # Items: every ungrouped node, then one per run, ordered by their smallest node number
    # (breadth-first from the outputs, so nearer the outputs comes first).
    free = np.flatnonzero(group < 0)
    grouped = np.flatnonzero(group >= 0)
    run_key = np.full(len(runs), n, dtype=np.int64)
    np.minimum.at(run_key, group[grouped], grouped)
    order = np.argsort(np.concatenate([free, run_key]), kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    item_of = np.empty(n, dtype=np.int64)
    item_of[free] = position[:len(free)]
    item_of[grouped] = position[len(free) + group[grouped]]
    payload = free.tolist() + runs
    items = [payload[k] for k in order.tolist()]

    if len(items) > budget:
        keep = max(budget - 1, 1)
        count = sum(len(x.members) + x.side if isinstance(x, Run) else 1 for x in items[keep:])
        items = items[:keep] + [Hidden(count)]
        item_of = np.minimum(item_of, keep)
    hidden = n - sum(1 for x in items if isinstance(x, int))

    e_src, e_dst = item_of[src], item_of[dst]
    keep_edge = e_src != e_dst
    e_src, e_dst = e_src[keep_edge], e_dst[keep_edge]
    codes = e_src * (len(items) + 1) + e_dst
    _, first = np.unique(codes, return_index=True)
    first.sort()
    edges = list(zip(e_src[first].tolist(), e_dst[first].tolist()))
    view = View(items, edges, hidden=hidden, collapsed=True)
    view.item_of_root = [None if r is None else int(item_of[r]) for r in graph.roots]
    return view


def _type_name(obj):
    """The op's readable name: its class name (`Mul`, `MatMul`, a user op's class)."""
    name = type(obj).__name__
    if name.startswith("_"):
        name = obj.name()
        if name.endswith("Backward"):
            name = name[:-len("Backward")]
    return name


def _type_ids(objs, is_node):
    ids = {}
    out = np.full(len(objs), -1, dtype=np.int64)
    for k in np.flatnonzero(is_node).tolist():
        out[k] = ids.setdefault(type(objs[k]), len(ids))
    return out


def _single_consumer(src, dst, n):
    """For each node, its consumer if it has exactly one (counting repeated edges once), else -1."""
    pairs = np.unique(src * n + dst)
    usrc, udst = pairs // n, pairs % n
    degree = np.bincount(usrc, minlength=n)
    consumer = np.full(n, -1, dtype=np.int64)
    one = degree[usrc] == 1
    consumer[usrc[one]] = udst[one]
    return consumer


def _spines(src, dst, is_node, consumer, n):
    """Maximal paths of ops where each op's only consumer is the next one (data-flow order).

    A consumer continues the spine of its first input (in argument order) that qualifies.
    """
    ok = is_node[src] & (consumer[src] == dst)
    s_ok, d_ok = src[ok], dst[ok]
    _, first = np.unique(d_ok, return_index=True)
    pred = np.full(n, -1, dtype=np.int64)
    succ = np.full(n, -1, dtype=np.int64)
    pred[d_ok[first]] = s_ok[first]
    succ[s_ok[first]] = d_ok[first]
    heads = np.flatnonzero((pred < 0) & (succ >= 0)).tolist()
    for h in heads:
        path = []
        k = h
        while k >= 0:
            path.append(k)
            k = int(succ[k])
        if len(path) >= MIN_PERIODS:
            yield np.array(path, dtype=np.int64)


def _periodic_runs(types):
    """(start, period, length) of stretches of `types` that repeat a block of `period` ops at
    least MIN_PERIODS times; `length` is a whole number of periods. Greedy, from the start."""
    size = len(types)
    best = np.zeros(size, dtype=np.int64)
    best_p = np.zeros(size, dtype=np.int64)
    for p in range(1, min(MAX_PERIOD, size // MIN_PERIODS) + 1):
        same = types[:-p] == types[p:]
        breaks = np.append(np.flatnonzero(~same), len(same))
        matched = breaks[np.searchsorted(breaks, np.arange(len(same)))] - np.arange(len(same))
        periods = (matched + p) // p
        cover = np.where(periods >= MIN_PERIODS, periods * p, 0)
        better = cover > best[:len(cover)]
        best[:len(cover)][better] = cover[better]
        best_p[:len(cover)][better] = p
    starts = np.flatnonzero(best)
    k = 0
    while k < len(starts):
        i = int(starts[k])
        yield i, int(best_p[i]), int(best[i])
        k = int(np.searchsorted(starts, i + best[i]))


def _absorb_side_inputs(graph, group, consumer, pinned, runs):
    """Fold into each run the nodes whose only consumer is already folded into it."""
    src, estart = graph.src, graph.estart
    frontier = np.flatnonzero(group >= 0)
    while len(frontier):
        lo, hi = estart[frontier], estart[frontier + 1]
        counts = hi - lo
        if not counts.sum():
            break
        edge_idx = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        cand = src[edge_idx]
        into = np.repeat(frontier, counts)
        take = (group[cand] < 0) & (consumer[cand] == into) & ~pinned[cand]
        cand, into = cand[take], into[take]
        cand, first = np.unique(cand, return_index=True)
        group[cand] = group[into[first]]
        for g, c in zip(*np.unique(group[cand], return_counts=True)):
            runs[g].side += int(c)
        frontier = cand
