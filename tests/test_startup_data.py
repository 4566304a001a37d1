"""The shipped CSV tables come read at build time (issue 17: no CSV parser on a one-liner),
and say exactly what the files say: the rows csv.DictReader reads from the file on disk,
or, once a file changes, that file read afresh."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from costcalc import cache, tables


def _dict_reader(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


SHIPPED_CSV = sorted(tables.data_file("prices.csv").parent.glob("*.csv"))


@pytest.mark.parametrize("path", SHIPPED_CSV, ids=lambda p: p.name)
def test_shipped_rows_are_the_files_rows(path: Path) -> None:
    assert cache.shipped_rows(path) is not None  # the prebuilt is in sync and used
    assert tables.data_rows(path.name) == _dict_reader(path)


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """costcalc/data copied, its prebuilt rows built, and the copy the shipped data."""
    copy = tmp_path / "data"
    shutil.copytree(tables.data_file("prices.csv").parent, copy)
    monkeypatch.setattr(cache, "_shipped_roots", lambda: [("data", copy)])
    monkeypatch.setattr(cache, "_GROUPS", {})
    monkeypatch.setattr(cache, "_PACKAGE", tmp_path)
    monkeypatch.setattr(tables, "_PACKAGE", tmp_path)
    return copy


def test_a_changed_csv_is_read_not_taken_from_the_prebuilt(data_copy: Path) -> None:
    path = data_copy / "pue.csv"
    assert cache.shipped_rows(path) is not None
    text = path.read_text(encoding="utf-8")
    head, first, rest = text.split("\n", 2)
    changed = first.split(",")
    changed[0] = "changed-" + changed[0]
    path.write_text("\n".join([head, ",".join(changed), rest]), encoding="utf-8")
    assert cache.shipped_rows(path) is None
    rows = tables.data_rows("pue.csv")
    assert rows == _dict_reader(path) and rows[0]["id"] == changed[0]


@pytest.mark.parametrize(
    "entry",
    [
        "not json",
        json.dumps({"format": cache.FORMAT, "text": "", "rows": []}),
        json.dumps({"format": -1}),
        "[]",
    ],
    ids=["garbage", "other-text", "other-format", "wrong-shape"],
)
def test_a_broken_prebuilt_is_a_miss(data_copy: Path, entry: str) -> None:
    (data_copy / "parsed" / "data" / "pue.csv.json").write_text(entry, encoding="utf-8")
    path = data_copy / "pue.csv"
    assert cache.shipped_rows(path) is None
    assert tables.data_rows("pue.csv") == _dict_reader(path)


def test_ragged_rows_have_no_prebuilt_and_read_as_dict_reader_reads_them() -> None:
    """A row wider or narrower than the header: csv.DictReader's rule (None for the missing
    cells, the rest under None), so no prebuilt rows are built for such a file."""
    assert cache.csv_rows("a,b\n1,2\n\n3\n") is None
    assert cache.csv_rows("a,b\n1,2\n\n3,4\n") == [["a", "b"], ["1", "2"], ["3", "4"]]
