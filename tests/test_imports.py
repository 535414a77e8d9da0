"""convlib's imports form a DAG: no module imports one that imports it back.

The graph is read from the source with `ast`, so it sees every import,
including the late ones inside functions that a run of the package would
only meet on some paths. Run this file as a script to print the graph
(one line per module: the convlib modules it imports).

An edge M -> T is drawn for each module T that importing something in M
runs: ``from .base import x`` is M -> pkg.base; ``from .. import _args``
is M -> convlib._args (a submodule named in the import); ``from . import
name`` of a name defined in the package's ``__init__`` is M -> the
package. Importing ``a.b.c`` also runs the ``__init__`` of ``a.b``
unless M lives inside ``a.b`` (Python initialises a module's own
packages before the module, so those are no circle): that is an edge too.
"""
import ast
import functools
import pathlib
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "convlib"


def module_files(package=PACKAGE):
    """{dotted module name: path} for every .py file of the package."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _ancestors(name):
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _imported(module, is_package, node, modules):
    """The convlib modules one import statement names."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names
                if alias.name.split(".")[0] == "convlib"}
    if node.level:
        package = module if is_package else module.rpartition(".")[0]
        base = package.split(".")
        base = base[:len(base) - node.level + 1]
        base = ".".join(base + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base.split(".")[0] != "convlib":
        return set()
    targets = set()
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        targets.add(sub if sub in modules else base)
    return targets


def import_graph(package=PACKAGE):
    """{module: set of convlib modules importing it runs}, from the source.

    Every import statement counts, at module level or inside a function.
    """
    modules = module_files(package)
    graph = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(module, is_package, node, modules):
                    edges.add(target)
                    edges |= _ancestors(target) - _ancestors(module) - {
                        module}
        unknown = {t for t in edges if t not in modules}
        assert not unknown, f"{module} imports missing modules {unknown}"
        graph[module] = edges - {module}
    return graph


@functools.cache
def convlib_graph():
    """`import_graph` of convlib itself, read once per run."""
    return import_graph()


def find_cycle(graph):
    """One import circle as a list [a, b, ..., a], or None for a DAG."""
    state = {}  # 1: on the current path, 2: done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_convlib_imports_form_a_dag():
    cycle = find_cycle(convlib_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_graph_sees_late_and_relative_imports(tmp_path):
    # A circle hidden behind an import inside a function is still found.
    pkg = tmp_path / "convlib"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text(
        "def late():\n    from .sub.high import f\n    return f\n")
    (pkg / "sub" / "__init__.py").write_text("from .high import f\n")
    (pkg / "sub" / "high.py").write_text(
        "from .. import low\n\ndef f():\n    return low\n")
    graph = import_graph(pkg)
    assert graph["convlib.low"] == {"convlib.sub", "convlib.sub.high"}
    assert graph["convlib.sub.high"] == {"convlib.low"}
    assert graph["convlib.sub"] == {"convlib.sub.high"}
    assert find_cycle(graph) == ["convlib.low", "convlib.sub",
                                 "convlib.sub.high", "convlib.low"]
    (pkg / "low.py").write_text("def late():\n    return 1\n")
    assert find_cycle(import_graph(pkg)) is None


@pytest.mark.parametrize("low", ["convlib._arrays", "convlib._args"])
def test_the_bottom_layer_imports_no_op(low):
    # The argument layer and the array views sit below every op form.
    graph = convlib_graph()
    reached, todo = set(), [m for m in graph if m == low
                            or m.startswith(low + ".")]
    while todo:
        module = todo.pop()
        for nxt in graph[module]:
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    assert reached <= {"convlib", "convlib._arrays", "convlib._args"} | {
        m for m in graph if m.startswith("convlib._args.")}, reached


if __name__ == "__main__":
    graph = import_graph()
    for module in sorted(graph):
        print(module, "->", ", ".join(sorted(graph[module])) or "-")
    print("cycle:", find_cycle(graph), file=sys.stderr)
