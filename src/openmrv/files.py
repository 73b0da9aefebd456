"""Atomic file and folder writes: written beside their destination under a hidden temporary
name, then renamed into place, so a reader never sees half a file and a failed write leaves
nothing behind. The one way OpenMRV writes its outputs (reports, results, datasets, plan cache).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "data_dir", "into_place", "temp_beside"]


def data_dir() -> Path:
    """Where the server keeps what it makes for itself (a development TLS certificate, the key
    that encrypts stored outbound credentials): $XDG_DATA_HOME/openmrv, by default
    ~/.local/share/openmrv."""
    home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(home) / "openmrv"


def temp_beside(path: Path, *, folder: bool = False) -> Path:
    """A new empty temporary file (or folder) in `path`'s folder, created if missing; its name
    starts with a dot, so dataset globs and cache pruning pass over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix, suffix = f".{path.name}.", ".tmp"
    if folder:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=path.parent))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """`write(tmp)` to a temporary file beside `path`, then rename it to `path`. The file gets
    the mode a plain open would (0666 less the umask), not mkstemp's 0600."""
    tmp = temp_beside(path)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def into_place(tmp: Path, path: Path, *, replace: bool = True) -> None:
    """Rename the folder `tmp` (from `temp_beside(path, folder=True)`, filled) to `path`. With
    `replace` an older `path` is removed first; without, OSError when `path` exists and is not
    empty (another process stored it first). The caller removes `tmp` when this fails."""
    if replace and path.exists():
        shutil.rmtree(path)
    tmp.rename(path)
