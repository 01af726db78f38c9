"""Writing result files safely: all or nothing, never over an input.

Every ``to_csv(path)`` / ``to_json(path)`` of a result writes through :func:`write_atomic`: the
text goes to a temporary file in the same folder, is flushed and synced to disk, then renamed
over the target in one step. A kill, a full disk or any error leaves the previous file as it
was (and no temporary file behind), never a truncated file that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from kpiscore.exceptions import OutputError

__all__ = ["write_atomic"]

PathLike = str | os.PathLike[str]


def _same_file(target: Path, inputs: Iterable[PathLike]) -> Path | None:
    if not target.exists():
        return None
    for source in inputs:
        candidate = Path(source)
        try:
            if candidate.exists() and os.path.samefile(target, candidate):
                return candidate
        except OSError:
            continue
    return None


def write_atomic(
    path: PathLike,
    data: str | bytes,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    inputs: Iterable[PathLike] = (),
) -> None:
    """Write ``data`` to ``path`` atomically: the old file stays whole until the new one is.

    Text is encoded with ``encoding`` (newlines written as given); ``bom=True`` starts it with a
    UTF-8 byte-order mark (spreadsheets then read Vietnamese text right). ``inputs`` are the
    files the result was read from: writing over one of them is refused.

    Raises:
        OutputError: ``path`` is the same file as one of ``inputs``, or the file cannot be
            written (the message names the path and the reason); the previous file, if any,
            is untouched and no temporary file is left.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "out.csv", "a,b\\n1,2\\n")
    >>> (folder / "out.csv").read_text()
    'a,b\\n1,2\\n'
    """
    if not isinstance(path, str | os.PathLike):
        raise OutputError(f"output: expected a file path (got {type(path).__name__} {path!r})")
    target = Path(path)
    clash = _same_file(target, inputs)
    if clash is not None:
        raise OutputError(
            f"output {str(target)!r}: is the same file as the input {str(clash)!r}; refusing to"
            " overwrite an input (choose another output path)",
            path=str(target),
        )
    if isinstance(data, str):
        try:
            payload = data.encode(encoding)
        except (UnicodeEncodeError, LookupError) as error:
            raise OutputError(
                f"output {str(target)!r}: the text cannot be encoded as {encoding} ({error})",
                path=str(target),
            ) from None
        if bom:
            payload = "\ufeff".encode(encoding) + payload
    else:
        payload = bytes(data)
    folder = target.parent
    temporary: str | None = None
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=folder
        )
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; keep the old file's mode, or the usual 0o644.
        with contextlib.suppress(OSError):
            mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
            os.chmod(temporary, mode)
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise OutputError(
            f"output {str(target)!r}: cannot write the file ({error.strerror or error})",
            path=str(target),
        ) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
