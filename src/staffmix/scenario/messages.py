"""How staffmix words a problem with a scenario: the helpers every layer uses.

Every problem a user reads names the file and the field or line at fault
("scenario.yaml: queues[0] (id 'en').aht_s: ..."), is short enough to read
(hostile files can hold megabyte-long names), and comes in a bounded list.
One module so that the YAML and CSV readers, the cross-table checks and the
variant merging word things the same way:

- `validated_config` / `format_error`: a pydantic error -> "file: path: message",
  with the item's id, a "did you mean" for unknown fields and the value given;
- `clip`, `suggest`, `yaml_type`: short values, close-match suggestions, YAML type names;
- `cap_problems`, `bounded`: at most MAX_PROBLEMS lines of at most MAX_PROBLEM_CHARS.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from staffmix.errors import ScenarioError
from staffmix.scenario.schema import ScenarioConfig

MAX_PROBLEMS = 50
"""Problems listed in one ScenarioError; the rest are counted in a last line."""
MAX_PROBLEM_CHARS = 1000
"""Longest problem line a ScenarioError carries (longer ones are cut in the middle)."""


# ----------------------------------------------------------------- bounded lists and lines


_MORE = re.compile(r"\.\.\. and (\d+) more")


def cap_problems(problems: list[str], limit: int = MAX_PROBLEMS) -> list[str]:
    """The first `limit` problems plus one '... and N more problems' line for the rest.

    Lines that already summarise ('... and N more row problems') count as N.
    """
    head: list[str] = []
    more = 0
    for p in problems:
        m = _MORE.search(p)
        if m:
            more += int(m.group(1))
        elif len(head) < limit:
            head.append(p)
        else:
            more += 1
    if more:
        head.append(f"... and {more} more problem{'s' if more > 1 else ''}")
    return head


def bounded(e: ScenarioError) -> ScenarioError:
    """The error with every problem line cut to MAX_PROBLEM_CHARS: a hostile file can hold megabyte-long names."""
    if all(len(p) <= MAX_PROBLEM_CHARS for p in e.problems):
        return e
    keep = MAX_PROBLEM_CHARS - 200
    return ScenarioError([
        p if len(p) <= MAX_PROBLEM_CHARS else f"{p[:keep]} ... [{len(p) - keep - 150:,} characters cut] ... {p[-150:]}"
        for p in e.problems
    ])


def clip(text: str, limit: int = 80) -> str:
    """`text`, shortened to about `limit` characters for a message (a hostile file may hold megabyte-long fields)."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 30]}... ({len(text):,} characters)"


def suggest(value: str, known: list[str], what: str) -> str:
    """' (did you mean ...?)' for a close match among `known`, else ' (<what>: the known values)'."""
    if len(value) > 200:  # no id is that long; spare difflib the work
        return f" ({what}: {clip(', '.join(known), 200)})"
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" ({what}: {clip(', '.join(known), 200)})"


def yaml_type(value: Any) -> str:
    """The YAML word for a value's type ('list', 'number', ...), as the user wrote it."""
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


# ----------------------------------------------------------------- pydantic errors


def validated_config(raw: dict[str, Any], label: str, prefix: str = "") -> ScenarioConfig:
    """`raw` validated as a ScenarioConfig; ScenarioError with one line per pydantic error otherwise.

    `label` is the file, `prefix` a path before every field (a variant's 'variants.<name>.').
    """
    try:
        return ScenarioConfig.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError([format_error(err, raw, label, prefix) for err in e.errors()]) from None


_DUPLICATE_ID = re.compile(r"^duplicate (queue|template|group|vendor) id ")


def format_error(err: Any, raw: Any, label: str, prefix: str) -> str:
    """One pydantic error as 'file: path: message (got value)', the path read against `raw` to name item ids."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    msg = str(err.get("msg", ""))
    value = err.get("input")
    for head in ("Value error, ", "Assertion failed, "):
        if msg.startswith(head):
            msg = msg[len(head):]
    path = _loc_path(loc, raw)
    if not loc:
        m = _DUPLICATE_ID.match(msg)
        if m:
            path = f"{m.group(1)}s"
    show_value = kind not in ("missing", "extra_forbidden", "too_short", "too_long")
    if kind == "extra_forbidden":
        msg = "unknown field"
        model = _model_at(loc[:-1])
        if model is not None and isinstance(loc[-1], str):
            close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.6)
            msg += f" (did you mean {close[0]!r}?)" if close else f" (fields: {', '.join(model.model_fields)})"
    elif kind == "missing":
        msg = "required field is missing"
    elif kind == "string_type" and isinstance(value, bool):
        msg += " (YAML reads unquoted yes/no/on/off/true/false as booleans; put the text in quotes, e.g. 'no')"
    elif loc and loc[-1] == "[key]":
        msg = f"invalid name: {msg}"
    text = f"{label}: {prefix}{path}: {msg}" if (prefix or path) else f"{label}: {msg}"
    if prefix and not path:
        text = f"{label}: {prefix.rstrip('.')}: {msg}"
    if show_value and not isinstance(value, (dict, list)):
        shown = repr(value)
        if len(shown) <= 60 and not (isinstance(value, str) and shown in msg):
            text += f" (got {shown})"
    return text


def _loc_path(loc: tuple[Any, ...], raw: Any) -> str:
    out = ""
    node = raw
    for key in loc:
        if key == "[key]":
            continue
        if isinstance(key, int) and not isinstance(node, dict):
            out += f"[{key}]"
            node = node[key] if isinstance(node, list) and -len(node) <= key < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f" (id {clip(node['id'])!r})"
            continue
        if isinstance(node, dict) and key not in node and ("[" in str(key) or "," in str(key)):
            continue  # a union tag pydantic adds to the location, not a field
        name = str(key)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            name = repr(name)
        out += f".{name}" if out else name
        node = node.get(key) if isinstance(node, dict) else None
    return out


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class found at `loc` inside ScenarioConfig, if any."""
    tp: Any = ScenarioConfig
    for key in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(key, str) or key not in tp.model_fields:
                return None
            tp = tp.model_fields[key].annotation
        elif typing.get_origin(tp) is list and isinstance(key, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None

