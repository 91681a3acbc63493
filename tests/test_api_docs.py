"""The API reference: every public name has a page, and every documented object and member has a docstring.

The pages (docs/api/*.md) are rendered by mkdocstrings from what griffe reads
in the source, so the check reads the source with griffe too: what has no
docstring here shows none in the rendered docs. The site itself is built
with --strict by tests/test_docs.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

import staffmix

griffe = pytest.importorskip("griffe")

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"
DIRECTIVE = re.compile(r"^::: ([\w.]+)\n((?:    .*\n|\n)*)", re.M)


def directives() -> dict[str, dict]:
    """Every `::: path` on the API pages -> its options (members list, etc.)."""
    out = {}
    for page in sorted(API.glob("*.md")):
        for m in DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            options = yaml.safe_load(m.group(2)) if m.group(2).strip() else {}
            out[m.group(1)] = (options or {}).get("options", {})
    return out


def resolve(path: str) -> object:
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        module, _, name = path.rpartition(".")
        return getattr(importlib.import_module(module), name)


def test_every_public_name_has_an_api_page() -> None:
    documented = {id(resolve(path)) for path in directives()}
    missing = [
        name for name in staffmix.__all__ if name != "__version__" and id(getattr(staffmix, name)) not in documented
    ]
    assert not missing, f"no API page shows {missing}"
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - mkdocstrings:" in nav
    assert all(f"api/{page.name}" in nav for page in API.glob("*.md"))


def undocumented(obj, members: list[str] | None, where: str) -> list[str]:
    if obj.is_alias:
        obj = obj.final_target
    missing = [] if obj.docstring and obj.docstring.value.strip() else [where]
    if members is False or not (obj.is_class or obj.is_module):
        return missing
    names = members if members else [n for n in obj.members if not n.startswith("_")]
    for name in names:
        member = obj.members[name]
        if member.is_alias and not members:
            continue  # imported, documented where it is defined
        missing += undocumented(member, False, f"{where}.{name}")
    return missing


def test_every_documented_object_and_member_has_a_docstring() -> None:
    package = griffe.load("staffmix", search_paths=[str(ROOT / "src")])
    missing = []
    for path, options in directives().items():
        missing += undocumented(package[path.removeprefix("staffmix.")], options.get("members"), path)
    assert not missing, f"no docstring (so nothing in the rendered API reference): {missing}"


def test_the_check_catches_a_missing_docstring() -> None:
    module = griffe.visit(
        "probe",
        Path("probe.py"),
        code='"""A module."""\n\nclass A:\n    """Doc."""\n\n    x: int = 1\n\n    def f(self):\n        pass\n',
    )
    assert undocumented(module["A"], None, "A") == ["A.x", "A.f"]
