"""Reading a file where it cannot hurt: a child process with a memory limit, before any lock.

`read_book(path)` forks a child that checks the archive against the limits (readers.check_archive),
opens the file with the readers and writes every sheet's rows to a spool folder; the parent
waits, holding no database transaction, then hands out a `SpooledBook` with the interface of
`readers.Book` that reads the spool. A child killed by its memory limit (a Rust allocation abort,
a MemoryError) or by a signal becomes one BadInput line; the caller's process never dies.

Limits: YOOLLA_IMPORT_MEMORY_MB (default 3072) MB of address space above what the process had;
YOOLLA_IMPORT_CPU_SECONDS (default 900) seconds of processor time.
Where fork is missing (not POSIX) the file is read in-process, without the memory limit.
"""

from __future__ import annotations

import marshal
import os
import pickle
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Iterator

from yoolla_tui.core.kernel.errors import BadInput, YoollaError
from yoolla_tui.core.kernel.i18n import _
from yoolla_tui.core.calls.importing import readers
from yoolla_tui.core.calls.importing.readers import Table

DEFAULT_MEMORY_MB = 3072
DEFAULT_CPU_SECONDS = 900  # a million-row workbook reads in a minute or two; a crafted one may spin
_CHUNK = 5000
_EXIT_REFUSED, _EXIT_NO_MEMORY, _EXIT_CRASHED = 3, 4, 5


def cpu_limit_seconds() -> int:
    value = os.environ.get("YOOLLA_IMPORT_CPU_SECONDS")
    try:
        seconds = int(value) if value else DEFAULT_CPU_SECONDS
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise BadInput(_("YOOLLA_IMPORT_CPU_SECONDS takes whole seconds, e.g. 900, not {value!r}").format(value=value))
    return seconds


def memory_limit_mb() -> int:
    value = os.environ.get("YOOLLA_IMPORT_MEMORY_MB")
    try:
        return int(value) if value else DEFAULT_MEMORY_MB
    except ValueError:
        raise BadInput(_("YOOLLA_IMPORT_MEMORY_MB takes megabytes, e.g. 3072, not {value!r}").format(value=value))


class SpooledBook:
    """A file already read: its sheet names, and each sheet as a Table streamed from the spool."""

    def __init__(self, folder: Path, meta: dict) -> None:
        self._folder = folder
        self.path = Path(meta["path"])
        self.name = meta["name"]
        self.kind = meta["kind"]
        self.sheet_names = meta["sheet_names"]
        self.encoding = meta.get("encoding")
        self.delimiter = meta.get("delimiter")

    def table(self, sheet: str | None) -> Table:
        index = 0 if self.kind == "text" else self.sheet_names.index(sheet)
        with (self._folder / f"{index}.head").open("rb") as fh:
            head = pickle.load(fh)
        return Table(self.name, head["sheet"], self._rows(index), head["total"], head["errors"], head["merged"],
                     head["encoding"], head["delimiter"])

    def _rows(self, index: int) -> Iterator[tuple[int, list]]:
        with (self._folder / f"{index}.rows").open("rb") as fh:
            while True:
                head = fh.read(9)
                if not head:
                    return
                data = fh.read(int.from_bytes(head[1:], "little"))
                yield from (marshal.loads(data) if head[:1] == b"M" else pickle.loads(data))

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "SpooledBook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_book(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None) -> SpooledBook:
    """Read and check the whole file in a memory-limited child; BadInput (one line) if it cannot be."""
    path = Path(path)
    limit = memory_limit_mb()
    folder = Path(tempfile.mkdtemp(prefix="yoolla-import-"))
    try:
        if not hasattr(os, "fork"):
            _spool(path, encoding, delimiter, folder)
        else:
            _in_child(path, encoding, delimiter, folder, limit)
        with (folder / "meta").open("rb") as fh:
            return SpooledBook(folder, pickle.load(fh))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def wait_child(pid: int) -> int:
    """The child's wait status (a function of its own so a test can act while the file is read)."""
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue


def _in_child(path: Path, encoding, delimiter, folder: Path, limit_mb: int) -> None:
    cpu_seconds = cpu_limit_seconds()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = _EXIT_CRASHED
        try:
            fd = os.open(folder / "stderr", os.O_WRONLY | os.O_CREAT, 0o600)
            os.dup2(fd, 2)  # a Rust abort message goes to the spool, not over the user's terminal
            import faulthandler

            faulthandler.disable()  # an abort here is expected and reported by the parent
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _limit_memory(limit_mb)
            _limit_cpu(cpu_seconds)
            _spool(path, encoding, delimiter, folder)
            code = 0
        except YoollaError as error:
            _write(folder / "error", (error.__class__.__name__, error.message))
            code = _EXIT_REFUSED
        except MemoryError:
            code = _EXIT_NO_MEMORY
        except BaseException as error:  # noqa: BLE001 - reported to the parent as one line
            try:
                _write(folder / "error", ("crash", readers._brief(error)))
            except BaseException:
                pass
        finally:
            os._exit(code)
    try:
        status = wait_child(pid)
    except BaseException:  # Ctrl-C while reading: the child goes too
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
        raise
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_REFUSED:
        kind, message = _read(folder / "error")
        from yoolla_tui.core.kernel import errors

        raise getattr(errors, kind, BadInput)(message)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == getattr(signal, "SIGXCPU", -1):
        raise BadInput(_("{file} took more than {seconds} s of processor time to read (a damaged or crafted file); "
                         "nothing was imported. If it is a real list, split it or raise YOOLLA_IMPORT_CPU_SECONDS").format(
            file=path.name, seconds=cpu_seconds))
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_CRASHED and (folder / "error").exists():
        _kind, brief = _read(folder / "error")
        raise BadInput(_("{file} cannot be read: {error}; nothing was imported").format(file=path.name, error=brief))
    raise BadInput(_("{file} needs more than {mb} MB of memory to read (a damaged file, or a zip bomb); nothing was "
                     "imported. If it is a real list, split it or raise YOOLLA_IMPORT_MEMORY_MB").format(
        file=path.name, mb=limit_mb))


def _limit_cpu(seconds: int) -> None:
    """The child's processor time: past `seconds` the kernel sends SIGXCPU (it ends the child),
    a little later SIGKILL; the parent reports it as one line."""
    try:
        import resource
    except ImportError:
        return
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 10))


def _limit_memory(limit_mb: int) -> None:
    try:
        import resource
    except ImportError:
        return
    used = 0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
    except OSError:
        pass
    limit = used + limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _spool(path: Path, encoding, delimiter, folder: Path) -> None:
    import gc

    gc.disable()  # rows hold no cycles; collecting while they pile up costs more than the read
    if path.is_file():
        readers.check_archive(path)  # before calamine sees it (a text file is not a zip: nothing to check)
    book = readers.open_book(path, encoding=encoding, delimiter=delimiter)
    try:
        names = book.sheet_names if book.kind == "workbook" else [None]
        meta = {"path": str(path), "name": book.name, "kind": book.kind, "sheet_names": book.sheet_names}
        for index, name in enumerate(names):
            table = book.table(name)
            with (folder / f"{index}.rows").open("wb") as fh:
                chunk = []
                for item in table.rows:
                    chunk.append(item)
                    if len(chunk) >= _CHUNK:
                        _dump_chunk(chunk, fh)
                        chunk = []
                if chunk:
                    _dump_chunk(chunk, fh)
            _write(folder / f"{index}.head", {"sheet": table.sheet, "total": table.total, "errors": table.errors,
                                             "merged": table.merged, "encoding": table.encoding,
                                             "delimiter": table.delimiter})
        _write(folder / "meta", meta)
    finally:
        book.close()


def _dump_chunk(chunk: list, fh) -> None:
    """marshal (2-3× faster) for rows of text and numbers; pickle when a cell is a date."""
    try:
        tag, data = b"M", marshal.dumps(chunk)
    except ValueError:
        tag, data = b"P", pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(tag + len(data).to_bytes(8, "little"))  # a length first: one read per chunk, not one per object
    fh.write(data)


def _write(target: Path, value) -> None:
    with target.open("wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)


def _read(target: Path):
    with target.open("rb") as fh:
        return pickle.load(fh)
