"""The layout holds: server modules import each other without a circle, what runs inside a
replica never imports the server, the shared schemas import only pydantic, the platform and
the domain never import each other, CML's names (``cdsw``, ``cml``) sit on top of both, and
the ``cmlapi`` client stands alone."""

from __future__ import annotations

import ast
from pathlib import Path

import workspace

LIB = Path(workspace.__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(LIB).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top, in functions or under TYPE_CHECKING alike;
    ``from package import submodule`` counts as importing the submodule."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            submodules = {
                f"{node.module}.{alias.name}"
                for alias in node.names
                if (LIB / node.module.replace(".", "/") / f"{alias.name}.py").exists()
            }
            found.update(submodules or {node.module})
    return found


def _graph(package: str) -> dict[str, set[str]]:
    files = sorted((LIB / package.replace(".", "/")).rglob("*.py"))
    modules = {_module_name(f): f for f in files}
    return {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _importers_of(package: str, forbidden: str) -> list[str]:
    return [
        _module_name(path)
        for path in sorted((LIB / package).rglob("*.py"))
        if any(m == forbidden or m.startswith(forbidden + ".") for m in _imports(path))
    ]


def test_the_workspace_modules_import_each_other_without_a_circle():
    assert _cycle(_graph("workspace")) is None


def test_what_runs_in_a_replica_never_imports_the_server():
    assert _importers_of("workspace/replica", "workspace.server") == []
    assert _importers_of("workspace/replica", "workspace.serving") == []


def test_the_shared_schemas_import_nothing_of_the_server_or_the_client():
    assert _importers_of("workspace/schemas", "workspace.server") == []
    assert _importers_of("workspace/schemas", "workspace.client") == []


def test_only_the_api_layer_speaks_http():
    assert _importers_of("workspace/server/services", "fastapi") == []
    assert _importers_of("workspace/server/storage", "fastapi") == []


def test_the_platform_and_the_domain_never_import_each_other():
    assert _importers_of("workspace", "logistics") == []
    assert _importers_of("logistics", "workspace") == []


LAB_PACKAGES = ("workspace", "logistics", "localcluster", "cdsw", "cml", "cmlapi")


def _lab_imports(package: str) -> set[str]:
    """What a package's files import from the lab's own packages."""
    return {
        m
        for path in (LIB / package).rglob("*.py")
        for m in _imports(path)
        if m.split(".")[0] in LAB_PACKAGES and m.split(".")[0] != package
    }


def test_cmls_names_sit_on_top_and_nothing_below_imports_them():
    for below in ("workspace", "logistics"):
        assert _importers_of(below, "cdsw") == []
        assert _importers_of(below, "cml") == []


def test_cdsw_is_only_a_name_for_the_model_api():
    assert _lab_imports("cdsw") == {"workspace.model_api"}


def test_cml_data_connections_reach_the_domain_and_not_the_platform():
    assert {m.split(".")[0] for m in _lab_imports("cml")} == {"logistics"}


def test_cmlapi_stands_alone_and_the_lab_never_imports_it():
    """It is installed into users' own environments, where the lab is not."""
    assert _lab_imports("cmlapi") == set()
    for below in ("workspace", "logistics"):
        assert _importers_of(below, "cmlapi") == []


def test_the_local_cluster_components_stand_alone_and_the_lab_runs_without_them():
    """They start a team's services for trials, tests and benches; the lab only reads settings."""
    assert _lab_imports("localcluster") == set()
    for below in ("workspace", "logistics"):
        assert _importers_of(below, "localcluster") == []
