"""Confirmed frauds and chargebacks in bulk: through `POST /api/verdicts` and `isoflow verdicts import`. Each
verdict keeps when it became known and who gave it; an unknown id is reported and the rest recorded; the
verdict known last stands, so a batch sent twice changes nothing."""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from test_api_audit import ADMIN, ANALYST, entries_stored, trail
from test_api_endpoints import create_account, create_transaction

from isoflow.cli import main
from isoflow.cli.verdicts import Rejected, read_verdicts
from isoflow.settings import ENVIRONMENT, Settings
from isoflow.store.db import Db
from isoflow.store.transactions import GivenVerdict, read_transaction

UNKNOWN_ID = "txn_ffffffffffffffffffff"


def _two_transactions(api: Any) -> tuple[str, str]:
    account = create_account(api)
    return (
        create_transaction(api, account["accountId"])["transactionId"],
        create_transaction(api, account["accountId"], amount=40)["transactionId"],
    )


def _send(api: Any, *verdicts: dict[str, Any]) -> list[str]:
    reply = api.request("POST", "/api/verdicts", json_body={"verdicts": list(verdicts)}, claims=ADMIN)
    assert reply.status == 200, reply.text
    return [result["outcome"] for result in reply.json["results"]]


def test_a_batch_records_each_verdict_with_when_it_became_known_and_reports_unknown_ids(api: Any, db: Db) -> None:
    first, second = _two_transactions(api)
    batch = (
        {"transactionId": first, "verdict": "CONFIRMED", "knownAt": "2026-12-01T09:30:00+01:00", "note": "chargeback"},
        {"transactionId": UNKNOWN_ID, "verdict": "CONFIRMED", "knownAt": "2026-12-01T08:00:00Z"},
        {"transactionId": "not-an-id-of-ours", "verdict": "NOT_FRAUD", "knownAt": "2026-12-01T08:00:00Z"},
        {"transactionId": second, "verdict": "NOT_FRAUD", "knownAt": "2026-12-02T10:00:00Z"},
    )
    assert _send(api, *batch) == ["recorded", "unknown", "unknown", "recorded"]
    feedback = api.get(f"/api/transactions/{first}").json["feedback"]
    assert feedback["verdict"] == "CONFIRMED" and feedback["note"] == "chargeback"
    assert feedback["knownAt"] == "2026-12-01T08:30:00Z"
    assert feedback["by"] == "admin@bank.example"
    (entry,) = [e for e in trail(api, f"/api/transactions/{first}") if e["action"] == "verdict"]
    assert entry["fields"] == {"verdict": "CONFIRMED", "note": "chargeback", "knownAt": "2026-12-01T08:30:00Z"}

    written, kept = entries_stored(db), read_transaction(db, first)
    assert _send(api, *batch) == ["unchanged", "unknown", "unknown", "unchanged"]
    assert entries_stored(db) == written and read_transaction(db, first) == kept


def test_the_verdict_known_last_stands(api: Any) -> None:
    first, _ = _two_transactions(api)
    confirmed = {"transactionId": first, "verdict": "CONFIRMED", "knownAt": "2026-12-03T00:00:00Z"}
    assert _send(api, confirmed) == ["recorded"]
    earlier = {"transactionId": first, "verdict": "NOT_FRAUD", "knownAt": "2026-12-02T00:00:00Z"}
    assert _send(api, earlier) == ["superseded"]
    assert api.get(f"/api/transactions/{first}").json["feedback"]["verdict"] == "CONFIRMED"
    later = {**earlier, "knownAt": "2026-12-04T00:00:00Z"}
    assert _send(api, later) == ["recorded"]
    assert api.get(f"/api/transactions/{first}").json["feedback"]["verdict"] == "NOT_FRAUD"
    # An analyst's verdict is known when it is given: after any file's, so a file sent again leaves it.
    reply = api.request("PUT", f"/api/transactions/{first}/feedback", json_body={"verdict": "CONFIRMED"})
    assert reply.status == 200, reply.text
    assert _send(api, later) == ["superseded"]


@pytest.mark.parametrize(
    "body",
    [
        {"verdicts": []},
        {"verdicts": [{"transactionId": "txn_1", "verdict": "MAYBE", "knownAt": "2026-12-01T00:00:00Z"}]},
        {"verdicts": [{"transactionId": "txn_1", "verdict": "CONFIRMED"}]},
        {"verdicts": [{"transactionId": "txn_1", "verdict": "CONFIRMED", "knownAt": "2026-12-01T00:00:00"}]},
        {"verdicts": [{"transactionId": "txn_1", "verdict": "CONFIRMED", "knownAt": "2999-01-01T00:00:00Z"}]},
        {"verdicts": [{"transactionId": "", "verdict": "CONFIRMED", "knownAt": "2026-12-01T00:00:00Z"}]},
        {"verdicts": [{"transactionId": "txn_1", "verdict": "CONFIRMED", "knownAt": "2026-12-01T00:00:00Z"}] * 101},
    ],
)
def test_a_malformed_batch_is_refused_whole(api: Any, db: Db, body: dict[str, Any]) -> None:
    first, _ = _two_transactions(api)
    written = entries_stored(db)
    good = {"transactionId": first, "verdict": "CONFIRMED", "knownAt": "2026-12-01T00:00:00Z"}
    reply = api.post("/api/verdicts", {"verdicts": [good, *body["verdicts"]] if body["verdicts"] else []})
    assert reply.status == 422, reply.text
    assert reply.json["errors"]
    assert entries_stored(db) == written and read_transaction(db, first).feedback is None


def test_only_an_administrator_imports_verdicts(api: Any) -> None:
    body = {"verdicts": [{"transactionId": UNKNOWN_ID, "verdict": "CONFIRMED", "knownAt": "2026-12-01T00:00:00Z"}]}
    assert api.request("POST", "/api/verdicts", json_body=body, claims=ANALYST).status == 403


def test_a_verdicts_file_is_read_row_by_row() -> None:
    text = io.StringIO(
        "transaction_id,label,known_at,note\n"
        "txn_aaaaaaaaaaaaaaaaaaaa,1,2026-12-01T08:00:00Z,chargeback\n"
        "B-77,0,2026-12-01T09:00:00+02:00,\n"
        "txn_c,yes,2026-12-01T08:00:00Z,\n"
        "txn_d,1,yesterday,\n"
        ",1,2026-12-01T08:00:00Z,\n"
        "txn_f,1,2026-12-01T08:00:00Z," + "x" * 201 + "\n"
    )
    rows = list(read_verdicts(text))
    assert rows[0] == (2, GivenVerdict("txn_aaaaaaaaaaaaaaaaaaaa", "CONFIRMED", "2026-12-01T08:00:00Z", "chargeback"))
    assert rows[1] == (3, GivenVerdict("B-77", "NOT_FRAUD", "2026-12-01T07:00:00Z", None))
    reasons = {line: row.reason for line, row in rows[2:] if isinstance(row, Rejected)}
    assert set(reasons) == {4, 5, 6, 7}
    assert reasons[4].startswith("label must be 1 (fraud) or 0 (not fraud)")
    assert reasons[5].startswith("known_at: ") and reasons[6].startswith("transaction_id: ")
    assert reasons[7].startswith("note: ")
    with pytest.raises(ValueError, match="missing columns: known_at"):
        list(read_verdicts(io.StringIO("transaction_id,label\ntxn_a,1\n")))


def test_isoflow_verdicts_import_records_a_file_and_a_second_import_changes_nothing(
    api: Any, aws: Settings, db: Db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for name, value in asdict(aws).items():
        if value:
            monkeypatch.setenv(ENVIRONMENT[name], value)
    first, second = _two_transactions(api)
    path = tmp_path / "chargebacks.csv"
    path.write_text(
        "transaction_id,label,known_at,note\n"
        f"{first},1,2026-12-01T08:00:00Z,card reported stolen\n"
        f"{UNKNOWN_ID},1,2026-12-01T08:00:00Z,\n"
        f"{second},2,2026-12-01T08:00:00Z,\n"
        f"{second},0,2026-12-02T08:00:00Z,\n"
    )
    assert main(["verdicts", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"line 3: no such transaction (as {UNKNOWN_ID})" in out
    assert "line 4: label must be 1 (fraud) or 0 (not fraud), not '2'" in out
    assert "4 verdicts: 2 recorded, 0 unchanged, 0 superseded, 1 unknown, 1 rejected" in out
    stored = read_transaction(db, first).feedback
    assert stored is not None and stored.verdict == "CONFIRMED" and stored.knownAt == "2026-12-01T08:00:00Z"
    assert stored.note == "card reported stolen" and stored.by is not None
    assert read_transaction(db, second).feedback.verdict == "NOT_FRAUD"  # type: ignore[union-attr]

    written = entries_stored(db)
    assert main(["verdicts", "import", str(path)]) == 1
    assert "4 verdicts: 0 recorded, 2 unchanged, 0 superseded, 1 unknown, 1 rejected" in capsys.readouterr().out
    assert entries_stored(db) == written
