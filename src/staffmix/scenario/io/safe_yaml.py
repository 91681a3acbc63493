"""scenario.yaml read defensively: plain YAML only, bounded in size, depth and expansion.

A scenario file may come from anyone, so reading it must never run code,
hang or exhaust memory, and every refusal names the line. Before PyYAML's
safe loader builds Python objects, the composed node graph is walked once to
refuse duplicate keys (which YAML would silently let the last one win),
recursive aliases, alias bombs (more than MAX_YAML_NODES values once aliases
are followed) and numbers too long to parse. Tags such as !!python/... are
refused by the safe loader and worded here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from staffmix.errors import ScenarioError
from staffmix.scenario.messages import clip, yaml_type

MAX_YAML_BYTES = 10 * 1024 * 1024
"""Largest scenario.yaml read (demand belongs in the CSV)."""
MAX_NUMBER_CHARS = 100
"""Longest number (in characters) scenario.yaml may hold; Python refuses integers of more than 4300 digits."""
MAX_YAML_NODES = 1_000_000
"""Nodes a scenario.yaml may expand to once aliases are followed (guards against alias bombs)."""
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


def _decode(data: bytes, label: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ScenarioError(
            f"{label}: line {line}: not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8"
        ) from None


def read_yaml(path: Path, label: str) -> dict[str, Any]:
    """The top-level mapping of a scenario.yaml; ScenarioError naming `label` and the line for anything else."""
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ScenarioError(
                f"{label}: {size / 2**20:.1f} MB is too large for a scenario file (limit 10 MB; demand belongs in the "
                "CSV)"
            )
        with open(path, "rb") as fh:
            data = fh.read(MAX_YAML_BYTES + 1)  # never more, whatever stat said (e.g. a growing file)
    except OSError as e:
        raise ScenarioError(f"{label}: cannot read the file ({e.strerror or e})") from None
    if len(data) > MAX_YAML_BYTES:
        raise ScenarioError(f"{label}: more than 10 MB is too large for a scenario file (demand belongs in the CSV)")
    text = _decode(data, label)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        problems = _node_problems(node, label)
        if problems:
            raise ScenarioError(problems)
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        raise ScenarioError(_yaml_message(e, label)) from None
    except ScenarioError:
        raise
    except yaml.reader.ReaderError as e:  # a control character: the reader reports a position, not a line
        line = text[: e.position].count("\n") + 1
        char = e.character if isinstance(e.character, str) else chr(e.character)
        raise ScenarioError(
            f"{label}: line {line}: control character U+{ord(char):04X} is not allowed in YAML (remove it or quote it "
            "as an escape)"
        ) from None
    except yaml.YAMLError as e:  # pragma: no cover - every other PyYAML error is marked
        raise ScenarioError(f"{label}: {clip(str(e).splitlines()[0], 200)}") from None
    except RecursionError:
        raise ScenarioError(f"{label}: the document is nested too deeply") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits (Python's int-from-text limit)
        raise ScenarioError(f"{label}: {clip(str(e), 200)}") from None
    if raw is None:
        raise ScenarioError(f"{label}: the file is empty; expected a mapping with name, horizon, queues, ...")
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{label}: the top level must be a mapping of fields (name, horizon, queues, ...), not a {yaml_type(raw)}"
        )
    return raw


def _yaml_message(e: yaml.MarkedYAMLError, label: str) -> str:
    mark = e.problem_mark or e.context_mark
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = e.problem or e.context or "invalid YAML"
    if e.problem and e.context:
        if e.problem.startswith("but "):
            problem = f"{e.context} {e.problem}"
        else:
            ctx = e.context
            if e.context_mark is not None and e.context_mark is not mark:
                ctx += f" that starts at line {e.context_mark.line + 1}"
            problem = f"{problem} ({ctx})"
    if isinstance(e, yaml.constructor.ConstructorError) and "tag" in problem:
        problem += (
            " (only plain YAML is read: mappings, lists, strings, numbers; tags such as !!python/... are refused)"
        )
    return f"{label}: {where}{problem}"


def _node_problems(root: yaml.Node | None, label: str) -> list[str]:
    """Duplicate keys, recursive aliases and alias bombs, found on the composed node graph."""
    if root is None:
        return []
    problems: list[str] = []
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def walk(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError(f"{label}: line {node.start_mark.line + 1}: recursive alias")
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    line = k.start_mark.line + 1
                    if k.value in seen:
                        problems.append(
                            f"{label}: line {line}: duplicate key {k.value!r} (first at line {seen[k.value]})"
                        )
                    else:
                        seen[k.value] = line
                total += walk(k) + walk(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += walk(v)
        elif node.tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > MAX_NUMBER_CHARS:
            problems.append(
                f"{label}: line {node.start_mark.line + 1}: a number written with {len(node.value):,} characters "
                f"is too long (at most {MAX_NUMBER_CHARS})"
            )
        active.discard(key)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            raise ScenarioError(f"{label}: the document expands to more than {MAX_YAML_NODES:,} values (aliases)")
        return total

    walk(root)
    return problems
