"""How `privlex filter` uses the process: Arrow writes Parquet outputs through its own file, and the
garbage collector is given back as it was found; a struct's text fact read across small row groups."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import privlex_rules
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FIXED_DAY
from privlex import InvalidUse, collector
from privlex.cli import main
from privlex.data.outputs import Output


def table() -> pa.Table:
    return pa.table({"id": [1, 2, 3], "text": ["a", None, "c"]})


def test_a_parquet_output_written_by_arrow_itself_appears_only_when_committed(tmp_path: Path) -> None:
    target = tmp_path / "kept.parquet"
    output = Output(target)
    writer = pq.ParquetWriter(output.native(), table().schema)
    writer.write_table(table())
    writer.close()
    assert not target.exists()
    output.commit()
    assert pq.read_table(target).equals(table())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.parquet"]  # no partial file, no lock


def test_a_discarded_parquet_output_leaves_nothing(tmp_path: Path) -> None:
    output = Output(tmp_path / "kept.parquet")
    output.native().write(b"PAR1 half a file")
    output.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_compressed_output_stays_a_python_stream(tmp_path: Path) -> None:
    output = Output(tmp_path / "log.jsonl.gz", "gzip")
    assert output.native() is output.stream
    output.discard()


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Nothing frozen for the test (conftest freezes what collection built), frozen again after it."""
    gc.unfreeze()
    try:
        yield
    finally:
        gc.freeze()


def test_the_collector_is_given_back_as_it_was(unfrozen: None) -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.settled():
            assert gc.get_freeze_count() > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()
    frozen = gc.get_freeze_count()
    young = [[] for _ in range(100)]  # what a second freeze would take too
    with collector.settled():  # a caller's freeze is left alone: neither given back nor added to
        pass
    # Frozen objects can still be freed (by reference counting) meanwhile: the count may only fall a little.
    assert frozen - 50 < gc.get_freeze_count() <= frozen
    assert len(young) == 100


def test_filter_called_in_process_leaves_the_collector_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], unfrozen: None
) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"region": ["DE"], "data": ["content.chat"], "purpose": ["ai.training"]}), source)
    args = ["filter", str(source), "--out", str(tmp_path / "kept.parquet"), "--today", FIXED_DAY.isoformat()]
    assert main([*args, "--package", "privlex_rules", "--quiet"]) in (0, 1)
    assert gc.isenabled() and gc.get_freeze_count() == 0  # only the privlex process freezes, at its exit


def test_a_text_fact_in_a_struct_column_across_row_groups_is_decided_and_written_back_as_text(tmp_path: Path) -> None:
    identifiability = ["pseudonymised", "anonymised", None, "guessed", "pseudonymised", "identified"]
    disclosed = [True, False, None, True, False, True]
    count = len(identifiability)
    processing = pa.StructArray.from_arrays(
        [pa.array(disclosed), pa.array(identifiability)],
        names=["disclosed", "identifiability"],
        mask=pa.array([False, False, False, False, True, False]),  # row 4: the whole struct null
    )
    rows = pa.table(
        {
            "id": list(range(count)),
            "region": ["JP"] * count,
            "data": ["content.chat"] * count,
            "purpose": ["ai.training"] * count,
            "processing": processing,
        }
    )
    # row groups of two rows: a batch spans three of them (reading the struct's text field
    # dictionary-encoded, as top-level text columns are, fails there: Arrow cannot join nested dictionaries)
    pq.write_table(rows, tmp_path / "in.parquet", row_group_size=2)
    args = ["filter", str(tmp_path / "in.parquet"), "--out", str(tmp_path / "kept.parquet")]
    assert main([*args, "--today", FIXED_DAY.isoformat(), "--package", "privlex_rules", "--quiet"]) == 1
    kept = pq.read_table(tmp_path / "kept.parquet")
    assert kept.schema == rows.schema

    def permitted(row: int) -> bool:
        use = {"region": "JP", "data": "content.chat", "purpose": "ai.training"}
        fields = processing[row].as_py()
        if fields is not None:
            use["processing"] = {name: value for name, value in fields.items() if value is not None}
        try:
            return privlex_rules.check(use, today=FIXED_DAY).outcome == "permit"
        except InvalidUse:
            return False

    expected = [row for row in range(count) if permitted(row)]
    assert kept.column("id").to_pylist() == expected and expected  # some rows kept, some not
    assert len(expected) < count


def test_a_broken_file_half_way_through_a_folder_is_one_clear_error_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = pa.table({"region": ["DE"] * 4, "data": ["content.chat"] * 4, "purpose": ["ai.training"] * 4})
    pq.write_table(rows, folder / "part-0.parquet")
    pq.write_table(rows, folder / "part-1.parquet")
    whole = (folder / "part-1.parquet").read_bytes()
    footer = 8 + int.from_bytes(whole[-8:-4], "little")  # its metadata stays readable: the run starts
    (folder / "part-1.parquet").write_bytes(whole[:4] + b"\xff" * (len(whole) - 4 - footer) + whole[-footer:])
    out = tmp_path / "out"
    out.mkdir()
    args = ["filter", str(folder), "--out", str(out / "kept.parquet"), "--decisions", str(out / "log.parquet")]
    code = main([*args, "--today", FIXED_DAY.isoformat(), "--package", "privlex_rules"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot read" in err and "Traceback" not in err
    assert list(out.iterdir()) == []


def test_arrow_reopens_the_temporary_file_it_was_given_not_what_its_name_now_points_to(tmp_path: Path) -> None:
    """Finding: `native()` reopened the temporary file by its name (truncating it): had another user of
    the folder swapped the name for a link in between, the run would have written over the link's target."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    output = Output(tmp_path / "kept.parquet")
    assert output.temporary is not None
    output.temporary.unlink()
    output.temporary.symlink_to(victim)  # the swap, between the safe creation and Arrow's open
    writer = pq.ParquetWriter(output.native(), table().schema)
    writer.write_table(table())
    writer.close()
    output.discard()
    assert victim.read_bytes() == b"precious"


@pytest.mark.parametrize("spelling", ["folder", "glob"])
@pytest.mark.parametrize("flag", ["--out", "--decisions"])
def test_an_output_that_is_one_file_of_a_parquet_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str, flag: str
) -> None:
    """Finding: `filter in/ --out in/a.parquet` replaced the input file a.parquet with the kept rows."""
    folder = tmp_path / "in"
    folder.mkdir()
    rows = pa.table({"region": ["DE", "??"], "data": ["content.chat"] * 2, "purpose": ["ai.training"] * 2})
    for name in ("a.parquet", "b.parquet"):
        pq.write_table(rows, folder / name)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    source = str(folder) if spelling == "folder" else str(folder / "*.parquet")
    others = {"--out": str(tmp_path / "kept.parquet"), "--decisions": str(tmp_path / "log.parquet")}
    others[flag] = str(folder / "a.parquet")
    args = ["filter", source, *(item for pair in others.items() for item in pair), "--package", "privlex_rules"]
    code = main([*args, "--today", FIXED_DAY.isoformat()])
    err = capsys.readouterr().err
    assert code == 2 and f"{flag} {folder / 'a.parquet'} is one of the input's files" in err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in"]
