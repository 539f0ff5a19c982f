"""The architecture holds: data flows one way, click only in the CLI, drawing only under render/.

A module may import only from its own layer or layers to its left (DESIGN.md):
base (errors, model, config, memory, parallel, parallel_dask, parallel_fresh) < registry <
ingest < extract < graph < analysis < io < render < pipeline < cli. ``io`` sits before ``render``
so that figures and the explorer write through the one atomic writer.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "netanalysis"
LAYERS = ["base", "registry", "ingest", "extract", "graph", "analysis", "io", "render", "pipeline", "cli"]
BASE = {"errors", "model", "config", "memory", "parallel", "parallel_dask", "parallel_fresh", "__init__", "__main__"}


def layer_of(parts: tuple[str, ...]) -> str:
    """The layer of module ``netanalysis.<parts>``."""
    head = parts[0] if parts else "__init__"
    if head in BASE:
        return "cli" if head == "__main__" else "base"
    return head


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (absolute names), with the line; the package's lazy
    ``__init__`` names its homes as strings, which are not imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, path.relative_to(PACKAGE).with_suffix("").parts


def test_no_module_imports_a_layer_to_its_right():
    wrong = []
    for path, parts in modules():
        if parts in (("__init__",), ("__main__",)):
            continue
        mine = LAYERS.index(layer_of(parts))
        for name, line in imports(path):
            if not name.startswith("netanalysis.") or name.split(".")[1] == "__version__":
                continue
            target = name.split(".")[1:]
            theirs = LAYERS.index(layer_of(tuple(target[:1]))) if target[0] in LAYERS or target[0] in BASE else None
            if theirs is not None and theirs > mine:
                wrong.append(f"{'/'.join(parts)}.py:{line} imports {name}")
    assert wrong == []


def test_click_only_in_the_cli_and_drawing_only_under_render():
    wrong = []
    for path, parts in modules():
        for name, line in imports(path):
            top = name.split(".")[0]
            if top == "click" and parts != ("cli",):
                wrong.append(f"{'/'.join(parts)}.py:{line} imports click")
            if top in ("matplotlib", "pyvis", "mpl_toolkits") and parts[0] != "render":
                wrong.append(f"{'/'.join(parts)}.py:{line} imports {top}")
    assert wrong == []


def test_no_module_is_over_500_lines():
    long = {
        "/".join(parts): n
        for path, parts in modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
