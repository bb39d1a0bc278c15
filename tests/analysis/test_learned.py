"""The learned layer's parts: n-grams, the labelled-file reader, the perceptrons."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import DATA

from calmdesk import errors
from calmdesk.analysis.learned import (
    ClassPerceptron,
    char_ngrams,
    read_labelled,
    training_files,
)


def test_char_ngrams_mark_the_ends() -> None:
    assert char_ngrams("慢死", sizes=(1, 2)) == ["^", "慢", "死", "$", "^慢", "慢死", "死$"]
    assert char_ngrams("慢死", sizes=(3,)) == ["^慢死", "慢死$"]


def test_training_files_are_shipped_and_well_formed() -> None:
    files = training_files("utterances")
    assert len(files) >= 3
    rows = [row for path in files for row in read_labelled(path, "level")]
    assert len(rows) >= 1000
    assert len({r.id for r in rows}) == len(rows), "duplicate ids"
    assert {r.labels for r in rows} == {("0",), ("1",), ("2",), ("3",)}


def test_reply_writer_files_are_well_formed() -> None:
    # The reply rules are developed against these (bench/eval_replies.py); they are not shipped.
    files = sorted((DATA / "reply_writers").glob("replies-*.tsv"))
    assert len(files) >= 3
    rows = [row for path in files for row in read_labelled(path, "flags")]
    assert len(rows) >= 1000
    assert len({r.id for r in rows}) == len(rows), "duplicate ids"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "空"),
        ("# only a comment\n", "空"),
        ("id\tlabel\ttext\n", "表头"),
        ("id\tlevel\ttext\nu1\t2\n", "三列"),
        ("id\tlevel\ttext\nu1\t\t你们太慢了\n", "三列"),
    ],
)
def test_bad_training_file_names_file_line_and_reason(
    tmp_path: Path, body: str, reason: str
) -> None:
    path = tmp_path / "utterances-x.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(errors.DataFileError) as info:
        read_labelled(path, "level")
    assert info.value.code == errors.LEXICON_INVALID
    problem = info.value.problems[0]
    assert problem.file == "utterances-x.tsv"
    assert reason in problem.reason


def test_labels_are_split_and_lines_kept(tmp_path: Path) -> None:
    path = tmp_path / "replies-x.tsv"
    path.write_text("# c\nid\tflags\ttext\nr1\tempathy, apology\t抱歉让您久等\n", encoding="utf-8")
    (row,) = read_labelled(path, "flags")
    assert row.labels == ("empathy", "apology")
    assert row.line == 3 and row.source == "replies-x.tsv"


_CLASS_DATA = [
    (["慢", "太慢"], 1),
    (["谢谢"], 0),
    (["滚", "骂人"], 2),
    (["慢", "烦"], 1),
    (["谢", "好的"], 0),
    (["骂人", "砸"], 2),
]


def test_class_perceptron_learns_separable_data_deterministically() -> None:
    first = ClassPerceptron.train(_CLASS_DATA, 3)
    second = ClassPerceptron.train(_CLASS_DATA, 3)
    assert first.columns == second.columns
    assert [first.predict(f) for f, _ in _CLASS_DATA] == [y for _, y in _CLASS_DATA]
    assert first.predict(["never-seen"]) in {0, 1, 2}
