"""What every reader of `privlex filter` shares: a chunk of decided rows, the run's settings, a hashing stream.

The readers themselves are one module per format (`read_jsonl`, `read_csv`,
`read_parquet`); `formats.open_reader` picks one.
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from .facts import Catalog, package_catalog
from .verdicts import Verdict


@dataclass
class Chunk:
    """Consecutive rows with their verdicts; `records` or `batch` holds what to write for the kept ones."""

    lines: np.ndarray  # 1-based line (CSV, JSONL) or row (Parquet) of each row
    verdicts: list[Verdict]  # distinct verdicts of the chunk
    index: np.ndarray  # per row: its verdict's position in `verdicts`
    records: list[bytes] = field(default_factory=list)  # JSONL/CSV: each row's bytes
    batch: Any = None  # Parquet: the record batch
    ids: Any = None  # the --id-column's value per row: a list, or the Arrow column (Parquet)


@dataclass
class Settings:
    package: types.ModuleType
    today: Any
    mapping: Mapping[str, str]
    constants: Mapping[str, Any]
    id_column: str | None = None

    @property
    def facts(self) -> Catalog:
        return package_catalog(self.package)


class Hashing:
    """A binary stream that hashes what is read through it (the input's hash in the decisions log)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for line in self.stream:
            self.digest.update(line)
            self.count += len(line)
            yield line
