"""The package boundaries hold: no module imports another module's private names, each package
says in `__all__` what other packages may use (and they use nothing else), and the version is
the one pyproject.toml declares. The layers and the absence of import cycles are import-linter's
contracts in pyproject.toml (`lint-imports`, run by `make test`)."""

from __future__ import annotations

import ast
import importlib
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import openmrv

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "openmrv"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def packages() -> list[str]:
    return sorted(name for name, p in modules().items() if p.name == "__init__.py")


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def imports(name: str, path: Path) -> list[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line) for each import of OpenMRV code in
    the module, wherever it is (module level, functions, TYPE_CHECKING blocks)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out += [(base, a.name, node.lineno) for a in node.names]
    return [i for i in out if i[0] == "openmrv" or i[0].startswith("openmrv.")]


def private_imports(name: str, path: Path) -> set[tuple[str, str, str, int]]:
    """(importer, module, private name, line) for each private name the module imports from
    another module (or each import of a private module)."""
    return {
        (name, target, taken or target, line)
        for target, taken, line in imports(name, path)
        if target != name
        and ((taken is not None and private(taken)) or any(map(private, target.split("."))))
    }


def test_no_private_names_are_imported_across_modules():
    found = set().union(*(private_imports(name, path) for name, path in modules().items()))
    assert not sorted(found), "make these names public, or move them where both modules use them"


def test_the_private_import_check_finds_them(tmp_path):
    """The check above sees `from m import _x` and relative imports (a check that cannot
    fail guards nothing)."""
    path = tmp_path / "probe.py"
    path.write_text(
        "from openmrv.store.db import _text, row_text\n"
        "from . import __version__\n"
        "def f():\n"
        "    from ._private import x\n"
        "    from .db import _string_bytes\n"
    )
    assert private_imports("openmrv.store.probe", path) == {
        ("openmrv.store.probe", "openmrv.store.db", "_text", 1),
        ("openmrv.store.probe", "openmrv.store._private", "x", 4),
        ("openmrv.store.probe", "openmrv.store.db", "_string_bytes", 5),
    }


def bound_names(path: Path) -> set[str]:
    """The public names an `__init__.py` binds at module level (imports of OpenMRV code,
    assignments, definitions; inside if/try blocks too)."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                source = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if (source or "").startswith("openmrv") or getattr(node, "level", 0):
                    names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {n for n in names if not n.startswith("_") or n == "__version__"}


def submodules(package: str) -> set[str]:
    folder = modules()[package].parent
    return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} | {
        p.parent.name for p in folder.glob("*/__init__.py")
    }


@pytest.mark.parametrize("package", packages())
def test_package_exports_match_all(package):
    """As httpx's test_exported_members: every name in `__all__` exists (a name bound in the
    package or one of its modules), and every public name the package's `__init__` binds is
    in it (ruff's RUF022 keeps it sorted). The command line is loaded first, as the program
    does: it builds its app from every domain's commands, so a domain's `cli` module imported
    on its own would re-enter itself through `openmrv.cli`."""
    importlib.import_module("openmrv.cli")
    mod = importlib.import_module(package)
    exported = getattr(mod, "__all__", None)
    assert exported is not None, f"{package} has no __all__"
    assert len(exported) == len(set(exported)), f"{package}.__all__ repeats"  # ruff sorts it
    bound = bound_names(modules()[package])
    assert bound <= set(exported), f"{package} binds names __all__ leaves out"
    for name in exported:
        if name not in bound:
            assert name in submodules(package), f"{package}.__all__ names no such thing: {name}"
            importlib.import_module(f"{package}.{name}")
        assert hasattr(mod, name), f"{package}.{name}"


def test_other_packages_use_only_what_all_lists():
    """A module takes from another package only a name or module its `__all__` lists."""
    public = {p: set(importlib.import_module(p).__all__) for p in packages() if p != "openmrv"}
    wrong = []
    for name, path in modules().items():
        for target, taken, line in imports(name, path):
            for package, exported in public.items():
                if name == package or name.startswith(package + "."):
                    continue  # inside the package
                if target == package and taken is not None:
                    used = taken
                elif target.startswith(package + "."):
                    used = target[len(package) + 1 :].split(".")[0]
                else:
                    continue
                if used not in exported:
                    wrong.append(f"{name}:{line} uses {package}.{used}")
    assert not wrong, "add them to the package's __all__, or use what it lists"


def test_version_is_pyproject_version():
    """`__version__` is the installed distribution's, and the fallback for a source tree that
    was never installed is the version pyproject.toml declares."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert openmrv.__version__ == version("openmrv") == declared
    fallback = [
        node.value.value
        for node in ast.walk(ast.parse((SRC / "__init__.py").read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
        and isinstance(node.value, ast.Constant)
    ]
    assert fallback == [declared]
