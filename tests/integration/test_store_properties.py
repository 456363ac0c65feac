"""Property: after any sequence of writes and flag clears, balances add up and stale marks are never lost, and
each stale account's mark of where its unscored transactions begin is the earliest of those written since it
was last cleared."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoflow.store import accounts, transactions
from isoflow.store.db import Db
from isoflow.store.records import Transaction
from isoflow.store.transactions import signed_amount

TYPES = ("DEPOSIT", "WITHDRAWAL", "TRANSFER", "PURCHASE", "PAYMENT")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(0, 2), st.sampled_from(TYPES), amounts),
        st.tuples(st.just("update"), st.integers(0, 50), st.sampled_from(TYPES), amounts),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        # A detection run: read the stale index, then clear each flag on the version it read.
        st.tuples(st.just("clear"), st.booleans()),
    ),
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_balances_add_up_and_changed_accounts_stay_stale(db: Db, ops: list[tuple]) -> None:
    ids = [
        accounts.create_account(
            db, {"name": f"A{i}", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "FR"}
        ).accountId
        for i in range(3)
    ]
    live: list[str] = []
    expected_stale = dict.fromkeys(ids, False)
    # The earliest timestamp among the transactions written to each account since its flag was last cleared.
    expected_mark: dict[str, str | None] = dict.fromkeys(ids)

    def written(transaction: Transaction) -> None:
        mark = expected_mark[transaction.accountId]
        expected_mark[transaction.accountId] = min(mark or transaction.timestamp, transaction.timestamp)

    for op in ops:
        if op[0] == "create":
            _, index, kind, amount = op
            made = transactions.create_transaction(
                db, {"accountId": ids[index], "transactionType": kind, "amount": amount}
            )
            live.append(made.transactionId)
            expected_stale[ids[index]] = True
            written(made)
        elif op[0] == "update" and live:
            _, index, kind, amount = op
            changed = transactions.update_transaction(
                db, live[index % len(live)], {"transactionType": kind, "amount": amount}
            )
            expected_stale[changed.accountId] = True
            written(changed)
        elif op[0] == "delete" and live:
            transaction_id = live.pop(op[1] % len(live))
            owner = transactions.read_transaction(db, transaction_id).accountId
            transactions.delete_transaction(db, transaction_id)
            expected_stale[owner] = True
        elif op[0] == "clear":
            read = [(s.account_id, s.version) for s in accounts.stale_accounts(db) if s.account_id in expected_stale]
            if op[1] and read:
                # A write lands between the read and the clear: that account must stay stale.
                late = read[0][0]
                made = transactions.create_transaction(
                    db, {"accountId": late, "transactionType": "DEPOSIT", "amount": 1}
                )
                live.append(made.transactionId)
                written(made)
            # The accounts cleared together, as a batch of a run is: one of them refused must not stop the rest.
            risks = [accounts.AccountRisk(a, v, risk_score=0.1, risk_level="LOW") for a, v in read]
            cleared = accounts.record_risks(db, risks, scored_at="2026-11-24T00:00:00Z")
            for account_id, _ in read:
                expected_stale[account_id] = account_id not in cleared
                if account_id in cleared:
                    expected_mark[account_id] = None
                assert accounts.read_account(db, account_id).riskLevel == "LOW"
            if op[1] and read:
                assert expected_stale[read[0][0]] is True
                assert cleared == {a for a, _ in read[1:]}

    stale_index = {s.account_id: s.unscored_from for s in accounts.stale_accounts(db)}
    for account_id in ids:
        account = accounts.read_account(db, account_id)
        owned = transactions.list_transactions(db, account_id=account_id, limit=200)[0]
        assert Decimal(str(account.balance)) == sum(
            (signed_amount(t["transactionType"], t["amount"]) for t in owned), Decimal(0)
        )
        assert account.isStale is expected_stale[account_id]
        assert (account_id in stale_index) is expected_stale[account_id]
        assert account.unscoredFrom == expected_mark[account_id]
        if account_id in stale_index:
            assert stale_index[account_id] == expected_mark[account_id]
