"""`privlex filter`'s formats: the reader of each (JSONL, CSV, Parquet), opened by name and kind.

Every reader opens its input and resolves its facts in its constructor, so an
unreadable file or a schema error stops the run before any output exists.
Rows are decided by the columnar evaluator (`batch.Evaluator`).
"""

from __future__ import annotations

import sys
from typing import Any

from .read_csv import CsvReader
from .read_jsonl import JsonlReader
from .read_parquet import ParquetReader
from .reading import Settings
from .sources import STDIO, ReadError

Reader = JsonlReader | CsvReader | ParquetReader


def open_reader(name: str, kind: str, settings: Settings, evaluator_of: Any) -> Reader:
    if kind == "parquet":
        if name == STDIO:
            raise ReadError("Parquet cannot be read from standard input: give a file, a folder or a glob")
        reader = ParquetReader(name, settings, evaluator_of)
        reader.settings_id = settings.id_column
        return reader
    if name != STDIO:
        from pathlib import Path

        path = Path(name)
        if not path.is_file():
            raise ReadError(f"cannot read {name}: {'it is a folder' if path.is_dir() else 'no such file'}")
    if kind == "csv":
        return CsvReader(name, settings, evaluator_of)
    return JsonlReader(name, settings, evaluator_of)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
