"""Writing files and folders so that a failure leaves nothing half-written.

A file is written to a temporary file beside it and renamed into place. A folder (the
docs site) is built in a temporary folder beside it and swapped in; an existing folder
is replaced only when an earlier build made it (it holds the `MARKER` file) or it is
empty, so that `-o` pointing at the wrong folder cannot delete someone's files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from yakkan.model.limits import write_output

from .errors import DiagramError

MARKER = ".yakkan-docs"


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write `data` to `path` through a temporary file renamed into place: only onto a
    regular file or a new path; a symlink is written through; a device, FIFO or folder is
    refused (see `yakkan.model.limits.write_output`)."""
    write_output(path, data)


def check_replaceable(folder: Path) -> None:
    """Raise DiagramError unless `folder` is absent, empty, or an earlier build's output."""
    from yakkan.model.limits import check_output_folder

    folder = check_output_folder(folder, "-o")  # a file on the path or a symlink loop: exit 2
    if not folder.exists():
        return
    if not folder.is_dir():
        raise DiagramError(f"{folder} exists and is not a folder", path=folder,
                           hint="give -o a folder path")  # fmt: skip
    if any(folder.iterdir()) and not (folder / MARKER).exists():
        raise DiagramError(
            f"{folder} is not empty and was not made by `yakkan docs`; not replacing it",
            path=folder, hint="choose an empty or new folder for -o",
        )  # fmt: skip


@contextmanager
def building(folder: Path) -> Iterator[Path]:
    """A temporary folder to build in; on success it replaces `folder` (see the module doc)."""
    folder = Path(folder)
    check_replaceable(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".building", dir=folder.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
        (tmp / MARKER).write_text("made by yakkan docs; this folder is replaced on the next build\n",
                                  encoding="utf-8")  # fmt: skip
        old = None
        if folder.exists():
            old = folder.parent / f".{folder.name}.old-{os.getpid()}"
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
