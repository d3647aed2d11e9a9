"""ForceAtlas2 in numpy, with the repulsion of far nodes taken by cells (a grid multipole method).

Why not ``networkx.forceatlas2_layout``: it builds n×n arrays every round, memory and
time quadratic in the nodes, and a large glossary's graph has tens of thousands (most
of them wanted terms). Why not the browser: the page should open on a finished
picture, the same for every reader, and a phone should not spin for it.

The forces are ForceAtlas2's (Jacomy et al. 2014, as graphology-layout-forceatlas2 runs
them): each node's mass is its degree + 1; every pair repels with ``k m_i m_j / d``;
linked nodes attract with their distance; a strong gravity pulls every node to the
centre in proportion to its mass and distance, so small components stay near the big
one; each node moves by its own adaptive speed (swinging nodes slow down).

The repulsion of all pairs is what costs. Written as complex numbers, the push on
node i is ``k m_i conj(g(z_i))`` with ``g(z) = sum_j m_j / (z - z_j)``, an analytic
function: far from a group of nodes, the group acts as its total mass at its centre
of mass, and near a point ``t`` the field is ``g(t) + g'(t)(z - t)``. So, on grids of
2×2, 4×4, … cells, each cell takes the field of the cells that are not its
neighbours but whose parents neighbour its parent (at most 27), as a first-order
expansion around its own centre of mass; every node adds the expansions of its
cells, and the nodes of neighbouring cells of the finest grid push each other
exactly. Every pair is counted once, at one level; the cost per round is linear in
the nodes. Everything is deterministic: the same graph gives the same positions.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

# The 27 cells of an interaction list, as offsets from the cell: children of the parent's
# 3x3 neighbourhood that are not the cell's own neighbours. They depend on whether the
# cell is the first or second child of its parent along each axis (index 2 * x + y).
_SPAN = {0: range(-2, 4), 1: range(-3, 3)}
_FAR = np.array([[(dx, dy) for dx in _SPAN[px] for dy in _SPAN[py] if max(abs(dx), abs(dy)) > 1]
                 for px in (0, 1) for py in (0, 1)])  # shape (4, 27, 2)
_NEAR = ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1))  # own cell and half the neighbours (pairs both ways)
_PAD = 3  # empty cells around each grid, so that no offset needs a bounds check

SCALING, GRAVITY = 10.0, 0.05  # graphology's inferred settings: repulsion scale, strong gravity


def _cells(cx: np.ndarray, cy: np.ndarray, size: int, mass: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple:
    """The occupied cells of a grid: (slot table, cell x, cell y, mass, centre x, centre y, cell of each node)."""
    wide = size + 2 * _PAD
    key = (cx + _PAD) * wide + (cy + _PAD)
    full, cell = np.unique(key, return_inverse=True)
    weight = np.bincount(cell, weights=mass)
    slot = np.full(wide * wide, -1, dtype=np.int64)
    slot[full] = np.arange(len(full))
    return (slot, full // wide - _PAD, full % wide - _PAD, weight,
            np.bincount(cell, weights=mass * x) / weight, np.bincount(cell, weights=mass * y) / weight, cell)


def _field(x: np.ndarray, y: np.ndarray, mass: np.ndarray, occupancy: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """The real and imaginary parts of ``g(z_i) = sum_{j != i} m_j / (z_i - z_j)`` at every node, approximated as above."""
    n = len(x)
    lo_x, lo_y = x.min(), y.min()
    side = max(x.max() - lo_x, y.max() - lo_y) * (1 + 1e-9) or 1.0
    depth = max(2, min(10, math.ceil(math.log(max(n / occupancy, 1.0), 4))))
    fine_x = np.minimum(((x - lo_x) * ((1 << depth) / side)).astype(np.int64), (1 << depth) - 1)
    fine_y = np.minimum(((y - lo_y) * ((1 << depth) / side)).astype(np.int64), (1 << depth) - 1)
    above = None  # the coarser level's cells and expansions, pushed down to the next level's cells
    for level in range(2, depth + 1):
        size, shift = 1 << level, depth - level
        slot, fx, fy, weight, com_x, com_y, cell = _cells(fine_x >> shift, fine_y >> shift, size, mass, x, y)
        wide = size + 2 * _PAD
        base = (fx + _PAD) * wide + (fy + _PAD)
        offsets = _FAR[:, :, 0] * wide + _FAR[:, :, 1]  # (4, 27) key offsets
        other = slot[base[:, None] + offsets[(fx & 1) * 2 + (fy & 1)]].ravel()
        hit = np.flatnonzero(other >= 0)
        src, dst = other[hit], hit // offsets.shape[1]
        dx, dy = com_x[dst] - com_x[src], com_y[dst] - com_y[src]
        r2 = dx * dx + dy * dy
        w = weight[src] / r2
        m = len(fx)
        # m / (t - c) and its derivative -m / (t - c)^2, summed per cell.
        v_re = np.bincount(dst, weights=w * dx, minlength=m)
        v_im = -np.bincount(dst, weights=w * dy, minlength=m)
        w /= r2
        s_re = -np.bincount(dst, weights=w * (dx * dx - dy * dy), minlength=m)
        s_im = np.bincount(dst, weights=w * (2 * dx * dy), minlength=m)
        if above is not None:
            p_slot, p_size, p_x, p_y, p_v_re, p_v_im, p_s_re, p_s_im = above
            parent = p_slot[((fx >> 1) + _PAD) * (p_size + 2 * _PAD) + (fy >> 1) + _PAD]
            ex, ey = com_x - p_x[parent], com_y - p_y[parent]
            v_re += p_v_re[parent] + p_s_re[parent] * ex - p_s_im[parent] * ey
            v_im += p_v_im[parent] + p_s_re[parent] * ey + p_s_im[parent] * ex
            s_re += p_s_re[parent]
            s_im += p_s_im[parent]
        above = (slot, size, com_x, com_y, v_re, v_im, s_re, s_im)
    ex, ey = x - com_x[cell], y - com_y[cell]
    g_re = v_re[cell] + s_re[cell] * ex - s_im[cell] * ey
    g_im = v_im[cell] + s_re[cell] * ey + s_im[cell] * ex
    # Exact pairs between nodes of the same or neighbouring cells of the finest grid,
    # worked out on the nodes sorted by cell (each cell's nodes side by side).
    order = np.argsort(cell, kind="stable")
    xs, ys, ms = x[order], y[order], mass[order]
    count = np.bincount(cell)
    start = np.cumsum(count) - count
    pairs_a, pairs_b = [], []
    for ox, oy in _NEAR:
        other = slot[(fx + _PAD + ox) * wide + (fy + _PAD + oy)]
        a = np.flatnonzero(other >= 0)
        b = other[a]
        nb = count[b]
        total = count[a] * nb
        which = np.repeat(np.arange(len(a)), total)
        offset = np.arange(len(which)) - np.repeat(np.cumsum(total) - total, total)
        step = nb[which]
        i, j = offset // step, offset % step
        if ox == 0 and oy == 0:
            keep = i < j
            i, j, which = i[keep], j[keep], which[keep]
        pairs_a.append(start[a][which] + i)
        pairs_b.append(start[b][which] + j)
    i, j = np.concatenate(pairs_a), np.concatenate(pairs_b)
    dx, dy = xs[i] - xs[j], ys[i] - ys[j]
    r2 = np.maximum(dx * dx + dy * dy, 1e-12)
    dx /= r2
    dy /= r2
    # m_j / (z_i - z_j) = m_j (dx - i dy) / r2 at i, and the opposite with m_i at j.
    g_re[order] += np.bincount(i, weights=ms[j] * dx, minlength=n) - np.bincount(j, weights=ms[i] * dx, minlength=n)
    g_im[order] -= np.bincount(i, weights=ms[j] * dy, minlength=n) - np.bincount(j, weights=ms[i] * dy, minlength=n)
    return g_re, g_im


def rounds_for(n: int) -> int:
    """How many rounds a layout of ``n`` nodes gets: 150 for small graphs, fewer for large
    ones (each round costs time in proportion to the nodes), never under 40."""
    return int(min(150, max(40, 100 * math.sqrt(4000 / max(n, 1)))))


def force_layout(n: int, source: Any, target: Any, mass: Any, rounds: int, seed: int = 7) -> np.ndarray:
    """Positions (n×2) after ``rounds`` rounds of ForceAtlas2 from a seeded random start."""
    rng = np.random.default_rng(seed)
    radius = math.sqrt(n) * 10
    x, y = (rng.random(n) - 0.5) * radius, (rng.random(n) - 0.5) * radius
    if n < 2:
        return np.column_stack([x, y])
    old_x, old_y = np.zeros(n), np.zeros(n)
    convergence = np.ones(n)
    slow = 1 + math.log(n)
    for _ in range(rounds):
        g_re, g_im = _field(x, y, mass)
        fx = mass * (SCALING * g_re - GRAVITY * x)  # conj(g): the push points away from the others
        fy = mass * (-SCALING * g_im - GRAVITY * y)
        px, py = x[source] - x[target], y[source] - y[target]
        fx -= np.bincount(source, weights=px, minlength=n) - np.bincount(target, weights=px, minlength=n)
        fy -= np.bincount(source, weights=py, minlength=n) - np.bincount(target, weights=py, minlength=n)
        # graphology's adaptive speed: a node whose force swings back and forth slows down.
        swinging = mass * np.hypot(old_x - fx, old_y - fy)
        traction = np.hypot(old_x + fx, old_y + fy) / 2
        speed = convergence * np.log1p(traction) / (1 + np.sqrt(swinging))
        convergence = np.minimum(1.0, np.sqrt(speed * (fx * fx + fy * fy) / (1 + np.sqrt(swinging))))
        x = x + fx * (speed / slow)
        y = y + fy * (speed / slow)
        old_x, old_y = fx, fy
    return np.column_stack([x, y])


def _fan(hub: np.ndarray, away: np.ndarray, count: int, radius: float) -> np.ndarray:
    """``count`` leaf positions around ``hub``: a fan turned towards ``away`` (from the hub's
    other neighbours) that widens to a ring, and a wider ring when the leaves would crowd it."""
    step = 0.35  # radians between two leaves (about 20 degrees)
    arc = min(2 * math.pi, count * step)
    radius = max(radius, count * step * radius / (2 * math.pi))
    angle = math.atan2(away[1], away[0]) + (np.arange(count) + 0.5) * (arc / count) - arc / 2
    return hub + radius * np.column_stack([np.cos(angle), np.sin(angle)])


def _place_leaves(pos: np.ndarray, leaf: np.ndarray, core: np.ndarray, ends: tuple[np.ndarray, np.ndarray],
                  mass: np.ndarray) -> None:
    """Put each leaf (a node with one link, to a core node) on a fan around that node."""
    a, b = ends
    n = len(pos)
    both = core[a] & core[b]
    count = np.bincount(a[both], minlength=n)
    centre = np.column_stack([np.bincount(a[both], weights=pos[b[both], 0], minlength=n),
                              np.bincount(a[both], weights=pos[b[both], 1], minlength=n)])
    mine = leaf[a] & core[b]
    leaves, hubs = a[mine], b[mine]
    order = np.lexsort((leaves, hubs))
    leaves, hubs = leaves[order], hubs[order]
    firsts, starts, counts = np.unique(hubs, return_index=True, return_counts=True)
    for hub, start, many in zip(firsts.tolist(), starts.tolist(), counts.tolist()):
        away = pos[hub] - centre[hub] / count[hub] if count[hub] else np.array([0.0, -1.0])
        pos[leaves[start:start + many]] = _fan(pos[hub], away, many, math.sqrt(SCALING * 2 * mass[hub]))


def _shelf(groups: list[np.ndarray], degree: np.ndarray, unit: float, origin: tuple[float, float],
           width: float) -> tuple[np.ndarray, float]:
    """Small components side by side in rows ``width`` wide from ``origin``: each a ring (its
    hub in the middle when all others hang on it). Returns (their positions, the bottom)."""
    out = np.zeros((sum(len(g) for g in groups), 2))
    x = y = row = 0.0
    at = 0
    for group in groups:
        k = len(group)
        radius = unit * max(0.5, k / (2 * math.pi))
        hub = int(np.argmax(degree[group]))
        star = k > 2 and degree[group[hub]] == k - 1
        ring = [i for i in range(k) if not (star and i == hub)]
        angle = 2 * math.pi * np.arange(len(ring)) / len(ring) + (math.pi if k == 2 else -math.pi / 2)
        if x + 2 * radius > width and x > 0:
            x, y, row = 0.0, y + row + unit, 0.0
        cx, cy = origin[0] + x + radius, origin[1] + y + radius
        out[at:at + k][ring] = np.column_stack([cx + radius * np.cos(angle), cy + radius * np.sin(angle)])
        if star:
            out[at + hub] = (cx, cy)
        at += k
        x += 2 * radius + unit
        row = max(row, 2 * radius)
    return out, origin[1] + y + row


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each node's component, named by its least node: the least label of its neighbours
    spread along the links (with pointer jumping) until nothing changes.

    Why not scipy's ``connected_components``: importing scipy.sparse costs a build that
    needs nothing else of scipy more than this whole loop."""
    label = np.arange(n)
    if not len(a):
        return label
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    heads = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])  # the first link of each node that has one
    nodes = a[heads]
    while True:
        new = label.copy()
        new[nodes] = np.minimum(label[nodes], np.minimum.reduceat(label[b], heads))
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def _parts(n: int, source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, ...]:
    """(degree, component, its size, in a big component, a leaf of one) for every node.

    Big: a component of 12 nodes or more, or the biggest if it has 3 or more. A leaf: a
    node of a big component with one link, to a node with more; ForceAtlas2 moves the
    others (the core), and the leaves are put on fans around their one neighbour."""
    degree = np.bincount(source, minlength=n) + np.bincount(target, minlength=n)
    a, b = np.concatenate([source, target]), np.concatenate([target, source])
    comp = _components(n, a, b)
    sizes = np.bincount(comp, minlength=n)[comp]
    big = (sizes >= 12) | ((sizes == sizes.max()) & (sizes >= 3))
    leaf = np.zeros(n, dtype=bool)
    leaf[a[(degree[a] == 1) & (degree[b] > 1) & big[a]]] = True
    return degree, comp, sizes, big, leaf


def core_size(n: int, source: Any, target: Any) -> int:
    """How many nodes ForceAtlas2 moves in ``layout_positions`` (for the benchmark)."""
    if n == 0:
        return 0
    _, _, _, big, leaf = _parts(n, np.asarray(source, dtype=np.int64), np.asarray(target, dtype=np.int64))
    return int(np.sum(big & ~leaf))


def layout_positions(n: int, source: Any, target: Any, seed: int = 7) -> tuple[np.ndarray, tuple[float, float, float] | None]:
    """Positions of ``n`` nodes linked by the undirected pairs (source[k], target[k]), y pointing
    down: the biggest components by ForceAtlas2 in a box 1000 wide or high (leaves on fans
    around their one neighbour), and in a column to its right the small components, then
    the unlinked nodes in a grid, so that none of them rings or shrinks the picture.

    Returns the positions and, when there is such a column, (the x where it starts, the
    bottom of the drawing, the spacing unit): a narrow screen moves the column below."""
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    pos = np.zeros((n, 2))
    if n == 0:
        return pos, None
    degree, comp, sizes, big, leaf = _parts(n, source, target)
    mass = degree + 1.0
    a, b = np.concatenate([source, target]), np.concatenate([target, source])
    core = big & ~leaf
    ids = np.flatnonzero(core)
    local = np.full(n, -1, dtype=np.int64)
    local[ids] = np.arange(len(ids))
    inner = core[source] & core[target]
    pos[ids] = force_layout(len(ids), local[source[inner]], local[target[inner]], mass[ids], rounds_for(len(ids)), seed)
    _place_leaves(pos, leaf, core, (a, b), mass)
    right, height, unit = 0.0, 1000.0, 20.0
    if big.any():
        lo = pos[big].min(axis=0)
        span = float((pos[big].max(axis=0) - lo).max()) or 1.0
        pos[big] = (pos[big] - lo) / span * 1000
        right, height = float(pos[big, 0].max()), float(pos[big, 1].max())
        unit = float(np.clip(0.7 * math.sqrt(right * height / np.sum(big)), 2, 25))  # about the drawing's node spacing
        right += 4 * unit
    small = np.flatnonzero(~big & (degree > 0))
    top = 0.0
    if len(small):
        least = np.full(n, n)
        np.minimum.at(least, comp, np.arange(n))  # each component's first node
        order = np.lexsort((small, least[comp[small]], -sizes[small]))  # biggest first, then by first node
        members = small[order]
        _, first = np.unique(comp[members], return_index=True)
        groups = np.split(members, np.sort(first)[1:])
        area = sum((max(1.0, len(g) / math.pi) + 1) ** 2 for g in groups) * unit * unit
        # about square, narrower than a third of the drawing while it fits in the drawing's height
        width = max(6 * unit, min(0.3 * height, math.sqrt(area * 1.5)), 1.5 * area / height)
        placed, bottom = _shelf(groups, degree, unit, (right, 0.0), width)
        pos[np.concatenate(groups)] = placed
        if big.any() and bottom < height:  # on the bottom line of the drawing, like a caption
            pos[np.concatenate(groups), 1] += height - bottom
        top = height + 3 * unit
    alone = np.flatnonzero(degree == 0)
    columns = max(1, int(max(1000.0 - right, 0.3 * height) // unit))
    pos[alone] = np.column_stack([right + (np.arange(len(alone)) % columns) * unit,
                                  top + (np.arange(len(alone)) // columns) * unit])
    return pos, ((right, height, unit) if big.any() and (len(small) or len(alone)) else None)
