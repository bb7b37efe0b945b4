"""Files Yoolla writes for a person (reports, exports, backups, documents): whole or not at all,
and with the mode any file of theirs gets.

`atomic(path)` yields a temporary path in the same folder; whatever is written there moves into
place with one `os.replace` when the block ends, or is removed when it fails, so a reader (or a
full disk, or Ctrl-C) never sees half a file under the name. The new file gets 0666 less the
umask, as `open()` would give it (mkstemp's 0600 would hide a report from the team); a file
replaced keeps its mode. Every OSError becomes `CannotWrite`: "cannot write FILE: reason".
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from yoolla_tui.core.kernel.errors import YoollaError
from yoolla_tui.core.kernel.i18n import _


class CannotWrite(YoollaError):
    """A file the user asked for could not be written (no folder, no space, no permission)."""

    exit_code = 1

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


def umask() -> int:
    """The process's umask, read without changing it (/proc), or by setting it back at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def reason(exc: OSError) -> str:
    """An OSError as a person reads it: "No space left on device", not "[Errno 28] …"."""
    return exc.strerror or str(exc) or exc.__class__.__name__


def cannot_write(path: str | Path, exc: OSError) -> CannotWrite:
    return CannotWrite(_("cannot write {file}: {reason}").format(file=path, reason=reason(exc)), reason(exc))


def check_target(path: str | Path) -> Path:
    """The target's folder must exist and the target must not be a folder; CannotWrite says which."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise CannotWrite(_("cannot write {file}: folder {folder} does not exist").format(file=path, folder=folder))
    if path.is_dir():
        raise CannotWrite(_("cannot write {file}: it is a folder").format(file=path))
    return path


@contextmanager
def atomic(path: str | Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` (one rename), on any
    error it is removed and `path` is left as it was. A target that is not a regular file
    (/dev/stdout, a named pipe) is written in place: there is nothing to rename over. `mode`: the new file's permission bits
    before the umask (default 0666, as any program's new file; 0600 for a private backup)."""
    path = check_target(path)
    if path.exists() and not path.is_file():  # /dev/stdout, /dev/full, a named pipe: written in place
        try:
            yield path
        except OSError as exc:
            raise cannot_write(path, exc) from None
        return
    _sweep_leftovers(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            bits = path.stat().st_mode & 0o7777 if path.exists() and mode is None else (0o666 if mode is None else mode) & ~umask()
            os.chmod(tmp_path, bits)
            _fsync(tmp_path)
            os.replace(tmp_path, path)
        except OSError as exc:
            raise cannot_write(path, exc) from None
    except OSError as exc:  # the writer's own write failed (a full disk, a quota)
        tmp_path.unlink(missing_ok=True)
        raise cannot_write(path, exc) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _sweep_leftovers(path: Path) -> None:
    """Remove the temporary files of earlier writes of `path` whose process is gone (killed with
    SIGKILL, or the machine went down: no `finally` ran). The writer's pid is in the name
    (`.NAME.PID.xxxx.part`), so a write still running in another process is left alone."""
    prefix = f".{path.name}."
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".part")]
    except OSError:
        return
    for leftover in candidates:
        pid = leftover.name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running (or not ours to signal): its file is in use
        except ProcessLookupError:
            pass
        except OSError:
            continue
        try:
            leftover.unlink()
        except OSError:
            pass


def _fsync(path: Path) -> None:
    """Flush the file to the disk before it takes the name: a full disk shows here, not later."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (22, 95):  # EINVAL / EOPNOTSUPP: the file system cannot fsync; nothing to flush
            raise
    finally:
        os.close(fd)


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically (see `atomic`)."""
    with atomic(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically (see `atomic`)."""
    with atomic(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
