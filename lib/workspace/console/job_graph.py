"""A project's jobs as a small graph: each job in the column of its depth below its parent.

Why drawn on the server: the dependencies are a forest (one parent per job), so columns by depth
and rows in order are a readable layout that needs no graph library in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

BOX_W, BOX_H, GAP_X, GAP_Y = 170, 34, 50, 14


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    status: str
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class JobGraph:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int


def depth_of(job_id: str, parents: dict[str, str | None]) -> int:
    depth, seen, current = 0, {job_id}, parents.get(job_id)
    while current and current in parents and current not in seen:  # a cycle is never followed
        seen.add(current)
        depth, current = depth + 1, parents.get(current)
    return depth


def layout(jobs: list[tuple[str, str, str | None, str]]) -> JobGraph:
    """``(id, name, parent id, status)`` of each job → boxes and arrows (parent → child)."""
    parents = {job_id: parent for job_id, _, parent, _ in jobs}
    rows_used: dict[int, int] = {}
    nodes: dict[str, Node] = {}
    for job_id, name, _, status in sorted(jobs, key=lambda j: depth_of(j[0], parents)):
        column = depth_of(job_id, parents)
        row = rows_used.get(column, 0)
        rows_used[column] = row + 1
        x, y = column * (BOX_W + GAP_X), row * (BOX_H + GAP_Y)
        nodes[job_id] = Node(job_id, name, status, x, y)
    edges = [
        Edge(p.x + BOX_W, p.y + BOX_H // 2, c.x, c.y + BOX_H // 2)
        for c in nodes.values()
        if (p := nodes.get(parents.get(c.id) or ""))
    ]
    width = max((n.x + BOX_W for n in nodes.values()), default=0)
    height = max((n.y + BOX_H for n in nodes.values()), default=0)
    return JobGraph(list(nodes.values()), edges, width, height)
