"""No runtime import cycle in fieldcore, fieldapp or sync_server.

The import graph is grimp's (the one import-linter checks its contracts on): every import
statement, those inside functions included — an import moved into a function to dodge a
cycle still counts — and imports under `if TYPE_CHECKING:` left out (they never run).
A failure names each cycle as a chain of modules, first module repeated at the end.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("fieldcore", "fieldapp", "sync_server")


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """The groups of two or more modules that import each other, directly or not
    (Tarjan's algorithm, iterative: the graph is deep enough to matter)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    imported = graph.find_modules_directly_imported_by(target)
                    work.append((target, iter(sorted(imported))))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def cycle_through(graph: grimp.ImportGraph, group: set[str]) -> list[str]:
    """One concrete cycle inside a strongly connected group: a → b → … → a."""
    start = min(group)
    step = min(m for m in graph.find_modules_directly_imported_by(start) if m in group)
    back = graph.find_shortest_chain(importer=step, imported=start)
    assert back is not None  # same group: there is a way back
    return [start, *back]


def cycles(graph: grimp.ImportGraph, package: str) -> list[str]:
    """Each cycle that passes through `package`, as 'a -> b -> a'."""
    found = []
    for group in strongly_connected(graph):
        if any(m == package or m.startswith(f"{package}.") for m in group):
            found.append(" -> ".join(cycle_through(graph, group)))
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(graph: grimp.ImportGraph, package: str) -> None:
    found = cycles(graph, package)
    assert not found, f"import cycles through {package}:\n" + "\n".join(found)


def test_a_cycle_is_found_and_named() -> None:
    """The check itself: a cycle two hops long is reported, a one-way import is not."""
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.app", "pkg.screens", "pkg.shell", "pkg.leaf"):
        graph.add_module(module)
    graph.add_import(importer="pkg.app", imported="pkg.screens")
    graph.add_import(importer="pkg.screens", imported="pkg.shell")
    graph.add_import(importer="pkg.shell", imported="pkg.app")
    graph.add_import(importer="pkg.screens", imported="pkg.leaf")
    assert cycles(graph, "pkg") == ["pkg.app -> pkg.screens -> pkg.shell -> pkg.app"]
    graph.remove_import(importer="pkg.shell", imported="pkg.app")
    assert cycles(graph, "pkg") == []
