"""`privlex filter` refuses an output that its own Parquet folder or glob input would read on the next run."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXED_DAY, at_most
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex.cli import main
from privlex.data.sources import reads_into


def _input_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = pa.table({"region": ["DE"], "data": ["content.chat"], "purpose": ["ai.training"]})
    pq.write_table(rows, folder / "a.parquet")
    return folder


def _filter(source: str, *outputs: str) -> list[str]:
    return ["filter", source, *outputs, "--package", "privlex_rules", "--today", FIXED_DAY.isoformat()]


@pytest.mark.parametrize(
    ("spelling", "flag", "name"),
    [
        ("folder", "--out", "kept.parquet"),
        ("folder", "--decisions", "log.jsonl"),  # a folder input reads every file, whatever its name
        ("folder", "--summary-json", "sub/summary.json"),
        ("glob", "--out", "kept.parquet"),
        ("glob", "--decisions", "log.parquet"),
    ],
)
def test_an_output_the_next_run_would_read_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str, flag: str, name: str
) -> None:
    """Finding: `filter in/ --out in/kept.parquet` ran, and the next run over in/ read the kept rows as input."""
    folder = _input_folder(tmp_path)
    (folder / "sub").mkdir()
    source = str(folder) if spelling == "folder" else str(folder / "*.parquet")
    outputs = {"--out": str(tmp_path / "kept.parquet"), flag: str(folder / name)}
    code = main(_filter(source, *(item for pair in outputs.items() for item in pair)))
    err = capsys.readouterr().err
    assert code == 2
    assert f"{flag} {folder / name} is inside the input {source}: the next run over it would read it as input" in err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["in", "in/a.parquet", "in/sub"]


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("folder", ".kept.parquet"),  # a hidden file is not read by a folder input
        ("glob", "log.jsonl"),  # does not match *.parquet
        ("glob", "sub/kept.parquet"),  # * does not reach into a subfolder
    ],
)
def test_an_output_beside_the_input_that_it_never_reads_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str, name: str
) -> None:
    folder = _input_folder(tmp_path)
    (folder / "sub").mkdir()
    source = str(folder) if spelling == "folder" else str(folder / "*.parquet")
    flag = "--decisions" if name.endswith(".jsonl") else "--out"
    outputs = {"--out": str(tmp_path / "kept.parquet"), flag: str(folder / name)}
    code = main(_filter(source, *(item for pair in outputs.items() for item in pair), "--quiet"))
    assert code == 0, capsys.readouterr().err
    assert (folder / name).is_file()


PARTS = st.sampled_from(["a", "b", "ab", ".h", "_u"])
PATTERN_PARTS = st.sampled_from(["a", "b", "*", "?", "a*", "*b", "**", ".h", "[ab]"])
SUFFIXES = st.sampled_from([".parquet", ".jsonl", ".crc", ""])


@settings(max_examples=at_most(500), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    folders=st.lists(PARTS, max_size=3),
    stem=PARTS,
    suffix=SUFFIXES,
    pattern=st.lists(PATTERN_PARTS, min_size=1, max_size=4),
    pattern_suffix=st.sampled_from(["", ".parquet", "*"]),
)
def test_reads_into_agrees_with_globbing_the_file_once_it_is_there(
    tmp_path_factory: pytest.TempPathFactory,
    folders: list[str],
    stem: str,
    suffix: str,
    pattern: list[str],
    pattern_suffix: str,
) -> None:
    root = tmp_path_factory.mktemp("places")
    target = root.joinpath(*folders, stem + suffix)
    glob_input = os.path.join(root, *pattern[:-1], pattern[-1] + pattern_suffix)
    folder_input = str(root / folders[0]) if folders else str(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    (root / "first").write_bytes(b"")  # the glob input is a glob, not a file that happens to exist
    predicted_glob = reads_into(glob_input, target) if glob.has_magic(glob_input) else None
    predicted_folder = reads_into(folder_input, target)
    target.write_bytes(b"")
    if predicted_glob is not None:
        assert predicted_glob == (str(target) in glob.glob(glob_input, recursive=True)), glob_input
    read_by_folder = not target.name.startswith((".", "_")) and target.suffix != ".crc"
    assert predicted_folder == read_by_folder


def test_a_folder_given_as_jsonl_is_an_unreadable_input_not_a_place_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a Parquet input reads a folder: a folder given as JSONL cannot be read, whatever the outputs."""
    code = main(_filter(str(tmp_path), "--out", str(tmp_path / "kept.jsonl"), "--format", "jsonl"))
    err = capsys.readouterr().err
    assert code == 2 and "cannot read" in err and "inside the input" not in err
    assert list(tmp_path.iterdir()) == []
