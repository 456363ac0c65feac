"""`isoflow generate --csv`: labelled CSV for offline evaluation, the same bytes for the same arguments."""

from __future__ import annotations

import csv
import gzip
import io

import pytest

from isoflow.cli import main
from isoflow.generator.csv_export import CSV_COLUMNS

ARGS = ["--accounts", "25", "--days", "20", "--seed", "4", "--end", "2026-11-01T00:00:00Z"]


def test_csv_output_is_labelled_and_reproducible(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    packed, packed_again = tmp_path / "c.csv.gz", tmp_path / "d.csv.gz"

    for path in (first, second, packed, packed_again):
        assert main(["generate", "--csv", str(path), *ARGS, "--anomaly-rate", "0.02"]) == 0

    assert first.read_bytes() == second.read_bytes()
    assert gzip.decompress(packed.read_bytes()) == first.read_bytes()
    assert packed.read_bytes() == packed_again.read_bytes()
    rows = list(csv.DictReader(io.StringIO(first.read_text())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["account_id"] for row in rows} and len({row["account_id"] for row in rows}) == 25
    assert any(row["label"] == "1" for row in rows)


def test_another_seed_or_end_gives_other_data(tmp_path):
    base, reseeded, later = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    main(["generate", "--csv", str(base), *ARGS])
    main(["generate", "--csv", str(reseeded), *ARGS, "--seed", "5"])
    main(["generate", "--csv", str(later), *ARGS, "--end", "2026-11-02T00:00:00Z"])
    assert len({base.read_bytes(), reseeded.read_bytes(), later.read_bytes()}) == 3


@pytest.mark.parametrize(
    ("bad", "option"),
    [
        (["--accounts", "0", "--days", "5"], "--accounts"),
        (["--accounts", "5", "--days", "-1"], "--days"),
        (["--accounts", "5", "--days", "5", "--anomaly-rate", "1.5"], "--anomaly-rate"),
        (["--accounts", "5", "--days", "5", "--end", "yesterday"], "--end"),
    ],
)
def test_bad_arguments_are_refused_naming_the_option(tmp_path, capsys, bad, option):
    with pytest.raises(SystemExit) as exit_:
        main(["generate", "--csv", str(tmp_path / "x.csv"), *bad])
    assert exit_.value.code == 2
    assert f"argument {option}" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
