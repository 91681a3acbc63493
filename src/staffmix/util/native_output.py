"""Silence what native solver code prints on the process's stdout.

highspy 1.16 prints its banner ("Running HiGHS ...") when a `Highs` object
is constructed, before any option can turn logging off. On the command line
that text would land in the middle of a summary or of `--json` output, so
solver objects are created with file descriptor 1 pointed at /dev/null.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_libc: ctypes.CDLL | None
try:
    _libc = ctypes.CDLL(None)
except OSError:  # pragma: no cover - no C library to flush (not on Linux or macOS)
    _libc = None


def _flush_c_stdout() -> None:
    if _libc is not None:
        try:
            _libc.fflush(None)
        except AttributeError:  # pragma: no cover
            pass


@contextmanager
def silenced_stdout() -> Iterator[None]:
    """Inside the block, native writes to fd 1 go to /dev/null; Python's own output is flushed first."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
    except (AttributeError, OSError, ValueError):  # no real stdout (embedded, closed): nothing to guard
        yield
        return
    for stream in (sys.stdout, sys.__stdout__):
        try:
            if stream is not None:
                stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    _flush_c_stdout()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        _flush_c_stdout()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)
