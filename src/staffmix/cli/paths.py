"""The folders and files a command is given, checked before any work: a wrong path fails at once, not after a solve."""

from __future__ import annotations

from pathlib import Path

from staffmix.errors import StaffmixError

WRITTEN_BY_STAFFMIX = ("summary.json", "simulation.json")
"""A folder holding one of these is an earlier result (solve --out) or simulation (simulate --out)."""


def output_folder(text: str, option: str = "--out", overwrite: bool = False) -> Path:
    """The folder a command will write, checked now: new, empty, or (with --overwrite) an earlier output to replace.

    Refuses a file, and a folder with something in it unless `overwrite`;
    even then only a folder staffmix wrote (a mistyped --out must not replace
    a folder of scenarios): nothing a user has is replaced without asking.
    """
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise StaffmixError(f"{out}: is a file, not a folder; {option} needs a folder (new or empty)")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise StaffmixError(
                f"{out}: exists and is not empty; choose another folder, or pass --overwrite to replace its contents"
            )
        if not any((out / name).is_file() for name in WRITTEN_BY_STAFFMIX):
            raise StaffmixError(
                f"{out}: --overwrite replaces only an earlier staffmix output (a folder with "
                f"{' or '.join(WRITTEN_BY_STAFFMIX)}); "
                "this one holds other files: choose another folder"
            )
    return out


def result_folder(text: str, option: str = "RESULT_DIR") -> Path:
    """A result folder to read (written by `solve --out` or `batch`): a folder, not a file."""
    folder = Path(text)
    if folder.is_file():
        hint = f" (the folder holding it is {folder.parent})" if (folder.parent / "summary.json").is_file() else ""
        raise StaffmixError(f"{folder}: is a file; {option} is a result folder (written by solve --out or batch){hint}")
    if not folder.is_dir():
        raise StaffmixError(f"{folder}: no such result folder")
    return folder
