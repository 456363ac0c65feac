"""API latency through the local stack over HTTP: create-transaction and list-transactions, 1-32 clients.

Each client is a thread with its own HTTP connection, writing to its own account (as independent users do),
and reading the newest page of that account's transactions. Locally the API function runs one invocation
at a time, as a single Lambda execution environment would, so concurrency shows queueing, not scale-out.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from bench.stack import LocalEnvironment

START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _account(session: requests.Session, url: str, i: int) -> str:
    reply = session.post(
        f"{url}/api/accounts",
        json={"name": f"Client {i}", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"},
        timeout=60,
    )
    reply.raise_for_status()
    return str(reply.json()["accountId"])


def _transaction(account_id: str, n: int) -> dict[str, Any]:
    return {
        "accountId": account_id,
        "transactionType": "DEPOSIT" if n == 0 else "PURCHASE",
        "amount": 1000 if n == 0 else 10.5 + n % 40,
        "merchant": f"Shop {n % 7}",
        "category": "groceries",
        "country": "DE",
        "channel": "CARD_PRESENT",
        "timestamp": (START + timedelta(minutes=37 * n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(url: str, clients: int, requests_per_client: int) -> dict[str, Any]:
    sessions = [requests.Session() for _ in range(clients)]
    accounts = [_account(s, url, i) for i, s in enumerate(sessions)]
    results: dict[str, dict[str, Any]] = {}
    for name, call in (
        ("create", lambda s, a, n: s.post(f"{url}/api/transactions", json=_transaction(a, n), timeout=120)),
        ("list", lambda s, a, n: s.get(f"{url}/api/transactions", params={"accountId": a, "limit": 50}, timeout=120)),
    ):
        results[name] = _load(sessions, accounts, requests_per_client, call)
    for session in sessions:
        session.close()
    return results


def _load(
    sessions: list[requests.Session],
    accounts: list[str],
    count: int,
    call: Callable[[requests.Session, str, int], requests.Response],
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions))

    def client(i: int) -> None:
        nonlocal errors
        barrier.wait()
        for n in range(count):
            started = time.perf_counter()
            reply = call(sessions[i], accounts[i], n)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += reply.status_code >= 400

    started = time.perf_counter()
    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(client, range(len(sessions))))
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "per_s": round(len(latencies) / wall, 1),
    }


def run(environment: LocalEnvironment, *, clients: tuple[int, ...], requests_per_level: int) -> dict[str, Any]:
    environment.fresh()
    url = environment.http.url
    _account(requests.Session(), url, -1)  # the API function's first invocation (its cold start) is not measured
    by_clients = {str(c): measure(url, c, max(2, requests_per_level // c)) for c in clients}
    return {
        "by_clients": by_clients,
        "create_p99_ms": max(r["create"]["p99_ms"] for r in by_clients.values()),
        "list_p99_ms": max(r["list"]["p99_ms"] for r in by_clients.values()),
        "create_median_ms": {c: r["create"]["median_ms"] for c, r in by_clients.items()},
        "list_median_ms": {c: r["list"]["median_ms"] for c, r in by_clients.items()},
        "create_per_s": {c: r["create"]["per_s"] for c, r in by_clients.items()},
        "list_per_s": {c: r["list"]["per_s"] for c, r in by_clients.items()},
    }


def table(api: dict[str, Any]) -> str:
    lines = [f"{'clients':>7} {'call':<7} {'requests':>8} {'errors':>6} {'median ms':>10} {'p99 ms':>8} {'req/s':>7}"]
    for clients, by_call in api["by_clients"].items():
        for call, r in by_call.items():
            lines.append(
                f"{clients:>7} {call:<7} {r['requests']:>8} {r['errors']:>6} {r['median_ms']:>10.1f}"
                f" {r['p99_ms']:>8.1f} {r['per_s']:>7.1f}"
            )
    return "\n".join(lines)
