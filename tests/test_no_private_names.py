"""Product code reaches Django, Celery, kombu, redis-py and psycopg2 only through their public
API: a private name (one leading underscore) may change in any release without notice, and
intake and triage must keep working through upgrades.

Read statically over every tracked product module (not tests/, bench/, migrations/): an
attribute whose name has one leading underscore is flagged unless it is read on `self` or
`cls`, or on a name the same module binds to its own class or function, or is one of the
documented names below; so is `from django… import _name` (and the same for the other
libraries, or a private module of theirs)."""

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Documented public API despite the underscore: Django's Model _meta API and managers.
ALLOWED_ATTRIBUTES = {"_meta", "_default_manager", "_base_manager"}

LIBRARIES = ("django", "celery", "kombu", "redis", "psycopg2")


def _product_modules() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        paths = listed.stdout.split()
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an unpacked archive): every module but the environment's.
        paths = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*.py")
            if not {".venv", "var", "node_modules"} & set(p.relative_to(ROOT).parts)
        ]
    return sorted(
        path
        for path in paths
        if not path.startswith(("tests/", "bench/")) and "migrations" not in Path(path).parts
    )


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _own_names(tree: ast.Module) -> set[str]:
    """The names the module binds to its own classes and functions, and to instances it
    makes of its own classes at module level."""
    names = {"self", "cls"}
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id in names
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def private_names_in(source: str) -> list[str]:
    """Each private name `source` reads from outside code, as 'line: what'."""
    tree = ast.parse(source)
    own = _own_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            if node.attr in ALLOWED_ATTRIBUTES:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in own:
                continue
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] not in LIBRARIES:
                continue
            if any(_is_private(part) for part in parts):
                found.append(f"{node.lineno}: from {node.module} import …")
            found += [
                f"{node.lineno}: from {node.module} import {alias.name}"
                for alias in node.names
                if _is_private(alias.name)
            ]
        elif isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] in LIBRARIES
                and any(_is_private(part) for part in alias.name.split("."))
            ]
    return found


def test_product_code_uses_no_private_names_of_other_code():
    modules = _product_modules()
    assert len(modules) > 100  # the listing found the project
    found = [
        f"{path}:{hit}"
        for path in modules
        for hit in private_names_in((ROOT / path).read_text(encoding="utf-8"))
    ]
    assert not found, "private names of other code:\n" + "\n".join(found)


def test_it_flags_what_it_is_meant_to_flag():
    source = (
        "from django.db.models.base import _Deferred\n"
        "import django.utils._os\n"
        "from celery._state import get_current_app\n"
        "def f(obj, connection):\n"
        "    obj._state.adding = False\n"
        "    return super()._check_values(connection._cursor())\n"
    )
    assert [hit.split(":")[0] for hit in private_names_in(source)] == ["1", "2", "3", "5", "6", "6"]


def test_it_lets_through_what_is_public_or_our_own():
    source = (
        "from . import _helpers\n"
        "from .things import _private_of_ours\n"
        "class Batch:\n"
        "    _count = 0\n"
        "    def add(self):\n"
        "        self._count += 1\n"
        "        return Batch._count, type(self)._meta\n"
        "    @classmethod\n"
        "    def make(cls):\n"
        "        return cls._count\n"
        "_batch = Batch()\n"
        "def f(model):\n"
        "    _batch._count\n"
        "    return model._meta, model._default_manager, model._base_manager, model.__dict__\n"
    )
    assert private_names_in(source) == []
