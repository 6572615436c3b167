"""Where `privlex filter` reads from and writes to: files, `-`, compressed files, Parquet folders and globs.

- A name ending in `.gz` or `.zst` (`.zstd`) is decompressed as it is read,
  and an output so named is compressed; the format is told by the name
  without it (`rows.jsonl.gz` is JSONL).
- `-` is standard input (give `--format`) or standard output.
- A Parquet input may be a file, a folder of Parquet files (read as one
  dataset, with Hive partitions) or a glob (`part-*.parquet`).
"""

from __future__ import annotations

import fnmatch
import glob
import gzip
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
STDIO = "-"


class ReadError(Exception):
    """The input cannot be read, or its columns cannot be read as facts (exit 2)."""


def compression_of(name: str) -> str | None:
    return COMPRESSIONS.get(Path(name).suffix.lower())


def format_of(name: str) -> str | None:
    """The format a name says: its extension, under any compression extension."""
    path = Path(name)
    if path.suffix.lower() in COMPRESSIONS:
        path = path.with_suffix("")
    if any(char in name for char in "*?["):
        return FORMATS.get(path.suffix.lower())
    if path.is_dir():
        return "parquet"
    return FORMATS.get(path.suffix.lower())


def is_glob(name: str) -> bool:
    return any(char in name for char in "*?[") and not Path(name).exists()


class _Raw(io.RawIOBase):
    """A stream with read(n) (pyarrow's decompressing streams) as a raw stream, for io.BufferedReader."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


def open_bytes(name: str) -> IO[bytes]:
    """A buffered binary stream over a file (decompressed), or standard input."""
    if name == STDIO:
        return sys.stdin.buffer
    compression = compression_of(name)
    try:
        if compression == "gzip":
            return gzip.open(name, "rb")  # type: ignore[return-value]
        if compression == "zstd":
            import pyarrow as pa

            return io.BufferedReader(_Raw(pa.input_stream(name, compression="zstd")), 1 << 20)
        return open(name, "rb", buffering=1 << 20)  # noqa: SIM115 - closed by the reader
    except OSError as exc:
        raise ReadError(f"cannot read {name}: {exc.strerror or exc}") from exc


def reads_into(name: str, path: Path) -> bool:
    """Whether a Parquet folder or glob input would read the file `path`, were it there (as `parquet_files` picks)."""
    if is_glob(name):
        return _glob_matches(Path(os.path.abspath(name)).parts, Path(os.path.abspath(path)).parts)
    folder = Path(name)
    if not folder.is_dir():
        return False
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return _read_in_folder(path)


def _read_in_folder(path: Path) -> bool:
    """Whether a folder input reads this file of it: not hidden, not a Spark/Hadoop marker or checksum."""
    return not path.name.startswith((".", "_")) and path.suffix != ".crc"


def _glob_matches(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    """`glob.glob(pattern, recursive=True)`'s choice, one path component at a time, for a file not yet there."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":  # no component at all, or any run of components that are not hidden
        if not rest and not parts:  # a last `**` lists what is below the folder before it, not the folder
            return False
        for skip in range(len(parts) + 1):
            if _glob_matches(rest, parts[skip:]):
                return True
            if skip < len(parts) and parts[skip].startswith("."):
                return False
        return False
    if not parts or (parts[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _glob_matches(rest, parts[1:])


def parquet_files(name: str) -> list[str]:
    """The Parquet files an input names: itself, the files of a folder, or the matches of a glob."""
    if is_glob(name):
        found = sorted(glob.glob(name, recursive=True))
        if not found:
            raise ReadError(f"no file matches {name}")
        return found
    path = Path(name)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.is_file() and _read_in_folder(p))
        if not found:
            raise ReadError(f"the folder {name} holds no Parquet file")
        return found
    if not path.is_file():
        raise ReadError(f"cannot read {name}: no such file")
    return [name]
