"""No module in app/ imports its own caller: a cycle of imports, at module level or inside
functions, means a module holds a low and a high half that should be two modules."""

import ast
import os

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "app")


def _module_name(path):
    rel = os.path.relpath(path, os.path.dirname(APP))[: -len(".py")].replace(os.sep, ".")
    return rel[: -len(".__init__")] if rel.endswith(".__init__") else rel


def _modules():
    found = {}
    for folder, _dirs, files in os.walk(APP):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                found[_module_name(path)] = path
    return found


def _imports(path, module, known):
    """Every app module this file imports, anywhere in it (`from app.x import y` counts y
    when y is itself a module)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    package = module if path.endswith("__init__.py") else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.add(target if target in known else base)
    return {m for m in out if m in known and m != module}


def _graph():
    known = _modules()
    graph = {}
    for module, path in known.items():
        # A package's __init__ importing its own submodules is how packages work, not a loop.
        graph[module] = {m for m in _imports(path, module, known) if not module.startswith(m + ".")}
    return graph


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_app_has_no_import_cycle():
    assert _cycles(_graph()) == []


def test_services_never_import_jobs_but_the_queue_table():
    graph = _graph()
    offenders = {
        m: sorted(t for t in targets if t.startswith("app.jobs") and t != "app.services.shared.queues")
        for m, targets in graph.items()
        if m.startswith(("app.services", "app.models", "app.schemas"))
    }
    assert {m: t for m, t in offenders.items() if t} == {}
