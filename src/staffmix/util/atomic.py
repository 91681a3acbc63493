"""Writing a file or a result folder so that nobody ever reads half of one.

Every file and folder staffmix writes for a user (scenario folders, result
folders, reports, batch job folders, job.json, summary.csv, simulation
folders) goes through here, so they all behave the same way:

- a file is written to a hidden temporary file in the same folder, flushed
  to disk (fsync) and renamed over the target (`os.replace`, atomic on one
  file system): a reader sees the old file or the new one, never a mix;
- a folder is built as a hidden temporary folder beside the target and
  renamed into place when complete; an old folder of that name is first
  renamed aside and deleted only after the new one is in place;
- what is published has the mode of an ordinary file or folder, from the
  process umask (temporary files start private: `mkstemp` makes them 0600);
- on any error the temporary file or folder is removed and the target is
  left as it was.

Temporary names start with "." and hold ".partial-" (folders being built)
or ".old-" (folders being replaced), so a clean-up after a killed process
can recognise them (`is_leftover`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

__all__ = [
    "is_leftover",
    "open_text",
    "publish_folder",
    "remove",
    "staged_folder",
    "temp_folder",
    "umask",
    "write_bytes",
    "write_text",
]

PARTIAL = ".partial-"
"""Marks a folder being built (`temp_folder`)."""
OLD = ".old-"
"""Marks a folder being replaced (`publish_folder`)."""


def umask() -> int:
    """The process umask (read by setting it and putting it back; the moment between errs on the private side)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


@contextmanager
def open_text(path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None) -> Iterator[TextIO]:
    """A text file to write that replaces `path` atomically when the block ends without an error.

    `newline` is passed to `open` ("\\n" to write Unix line ends everywhere; ""
    for the csv module and pandas). The folder must exist.
    """
    with _replacing(path, "w", encoding=encoding, newline=newline) as fh:
        yield fh


@contextmanager
def _replacing(path: str | os.PathLike[str], mode: str, **how: Any) -> Iterator[Any]:
    """A temporary file beside `path`, opened with `mode`, that replaces `path` (with the umask's mode) when the
    block ends without an error, and is removed when it does not: the one way staffmix writes a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **how) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", newline: str | None = None) -> Path:
    """Write `text` to `path` atomically (see `open_text`); returns the path."""
    with open_text(path, encoding=encoding, newline=newline) as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` atomically, as `open_text` does for text (a workbook, any binary file).

    Returns the path.
    """
    with _replacing(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def temp_folder(target: str | os.PathLike[str]) -> Path:
    """A new empty hidden folder beside `target` (so a rename can publish it), with an ordinary folder's mode.

    Creates `target`'s parent folders if needed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}{PARTIAL}{uuid.uuid4().hex[:10]}"
    tmp.mkdir()
    return tmp


def publish_folder(tmp: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Rename the complete folder `tmp` to `target`, replacing whatever is there.

    An existing target is renamed aside first and deleted once the new folder
    is in place, so at every moment `target` is either the old one or the new one.
    """
    tmp, target = Path(tmp), Path(target)
    if target.exists():
        old = target.parent / f".{target.name}{OLD}{uuid.uuid4().hex[:10]}"
        os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            os.replace(old, target)  # put the old one back
            raise
        remove(old)
    else:
        os.replace(tmp, target)
    return target


@contextmanager
def staged_folder(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary folder to fill; published as `target` when the block ends, removed on an error."""
    tmp = temp_folder(target)
    try:
        yield tmp
        publish_folder(tmp, target)
    except BaseException:
        remove(tmp)
        raise


def remove(path: Path) -> None:
    """Delete a file or a folder tree, quietly (a left-over temporary is not worth an error)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def is_leftover(name: str) -> bool:
    """Whether a file name is one of this module's temporary folders (left behind by a killed process)."""
    return name.startswith(".") and (PARTIAL in name or OLD in name)
