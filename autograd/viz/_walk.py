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
    src, dst = [], []
    add_obj, add_src, add_dst, lookup = objs.append, src.append, dst.append, index.get
    for i, obj in enumerate(objs):  # NOTE: objs grows while we walk it: that is the queue
        if obj._is_node:
            for e in obj._next:
                if e is not None:
                    k = lookup(id(e))
                    if k is None:
                        k = index[id(e)] = len(objs)
                        add_obj(e)
                    add_src(k)
                    add_dst(i)
    dst = np.array(dst, dtype=np.int64)
    estart = np.searchsorted(dst, np.arange(len(objs) + 1))
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
        self.item_of = None  # collapsed views: the item each graph node is drawn in

    def folded(self):
        """(node number, item position) of every graph node not drawn as its own item."""
        if self.item_of is None:
            return []
        own = np.fromiter((isinstance(x, int) for x in self.items), dtype=bool,
                          count=len(self.items))
        nodes = np.flatnonzero(~own[self.item_of])
        return zip(nodes.tolist(), self.item_of[nodes].tolist())


def full_view(graph):
    view = View(list(range(len(graph.objs))), list(zip(graph.src.tolist(), graph.dst.tolist())))
    view.item_of_root = list(graph.roots)
    return view


def collapse(graph, budget):
    """A view of at most `budget` items (at least one is always kept)."""
    objs = graph.objs
    n = len(objs)
    src, dst = graph.src, graph.dst
    tid, is_node = _type_ids(objs)
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
    view.item_of = item_of
    return view


def _type_name(obj):
    """The op's readable name: its class name (`Mul`, `MatMul`, a user op's class)."""
    name = type(obj).__name__
    if name.startswith("_"):
        name = obj.name()
        if name.endswith("Backward"):
            name = name[:-len("Backward")]
    return name


def _type_ids(objs):
    """A number per op type (-1 for leaves) and whether each object is an op node."""
    kinds = list(map(type, objs))
    numbers = {t: k for k, t in enumerate(dict.fromkeys(kinds))}
    tid = np.fromiter(map(numbers.__getitem__, kinds), dtype=np.int64, count=len(kinds))
    node_type = np.array([bool(t._is_node) for t in numbers], dtype=bool)
    is_node = node_type[tid] if len(kinds) else np.zeros(0, dtype=bool)
    tid[~is_node] = -1
    return tid, is_node


def _single_consumer(src, dst, n):
    """For each node, its consumer if it has exactly one (counting repeated edges once), else -1."""
    lowest = np.full(n, n, dtype=np.int64)
    highest = np.full(n, -1, dtype=np.int64)
    np.minimum.at(lowest, src, dst)
    np.maximum.at(highest, src, dst)
    return np.where(lowest == highest, highest, -1)


def _spines(src, dst, is_node, consumer, n):
    """Maximal paths of ops where each op's only consumer is the next one (data-flow order).

    A consumer continues the spine of its first input (in argument order) that qualifies. The
    paths are found by pointer doubling (every node learns its path's head and its distance
    from it in log2(length) array steps), then sorted into contiguous runs.
    """
    ok = is_node[src] & (consumer[src] == dst)
    s_ok, d_ok = src[ok], dst[ok]
    _, first = np.unique(d_ok, return_index=True)
    pred = np.arange(n, dtype=np.int64)
    on_path = np.zeros(n, dtype=bool)
    pred[d_ok[first]] = s_ok[first]
    on_path[d_ok[first]] = on_path[s_ok[first]] = True
    nodes = np.flatnonzero(on_path)
    if not len(nodes):
        return
    head = pred[nodes]
    depth = (head != nodes).astype(np.int64)
    where = np.full(n, -1, dtype=np.int64)
    where[nodes] = np.arange(len(nodes))
    jump = where[head]
    while True:
        nxt = jump[jump]
        if np.array_equal(nxt, jump):
            break
        depth += depth[jump]
        jump = nxt
    order = np.lexsort((depth, jump))
    heads = jump[order]
    cuts = np.flatnonzero(np.diff(heads)) + 1
    bounds = np.concatenate([[0], cuts, [len(order)]])
    lengths = np.diff(bounds)
    for b in np.flatnonzero(lengths >= MIN_PERIODS).tolist():
        yield nodes[order[bounds[b]:bounds[b + 1]]]


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
