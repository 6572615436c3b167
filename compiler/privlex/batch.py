"""Deciding whole tables (pyarrow, pandas, polars, Hugging Face datasets, Dask, Spark): the public face of
`privlex.data.batch`. See docs/datasets.md.

Without `package=`, the functions decide with the package of the project the
current folder lies in, as `privlex decide` and `privlex filter` do
(`privlex.build.project.project_package`: compiled into a cache when stale,
with a warning; the shipped `privlex_rules` outside any project). The package
is found once per process and folder, not at every batch: in a long session
that edits the rules, pass `package=project_package()` to decide with the edit.
"""

from __future__ import annotations

import os
import types
import warnings
from typing import Any

from .data import batch as _batch
from .data.batch import BatchResult, SchemaError, table_of


def _note(text: str) -> None:
    warnings.warn(text, stacklevel=4)


_PROJECT_PACKAGES: dict[str, types.ModuleType] = {}


def _package(package: str | types.ModuleType | None) -> str | types.ModuleType:
    if package is not None:
        return package
    folder = os.getcwd()
    if folder not in _PROJECT_PACKAGES:
        from .build.project import project_package

        _PROJECT_PACKAGES[folder] = project_package(note=_note)
    return _PROJECT_PACKAGES[folder]


def check_batch(table: Any, *, package: str | types.ModuleType | None = None, **options: Any) -> BatchResult:
    """Decide every row of a table (see privlex.data.batch.check_batch); default: the project's package."""
    return _batch.check_batch(table, package=_package(package), **options)


def permits_batch(
    table: Any, allow_uncovered: bool = False, *, package: str | types.ModuleType | None = None, **options: Any
) -> Any:
    """A boolean mask, True where the row's use is permitted (see privlex.data.batch.permits_batch)."""
    return _batch.permits_batch(table, allow_uncovered, package=_package(package), **options)


def annotate(table: Any, *, package: str | types.ModuleType | None = None, **options: Any) -> Any:
    """The table with verdict columns added (see privlex.data.batch.annotate); default: the project's package."""
    return _batch.annotate(table, package=_package(package), **options)


__all__ = ["BatchResult", "SchemaError", "annotate", "check_batch", "permits_batch", "table_of"]
