"""The dashboard's pictures in a real browser against the local stack: each reads at a glance.

The risk distribution shows a few HIGH beside thousands of LOW; the account chart places transactions by
time on one amount axis that one huge amount cannot flatten; the run graph's edges pass around the states
they do not connect. Each is measured from what the browser drew, not from the data behind it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, expect
from test_dashboard import RUN_TIMEOUT_MS

from isoflow.store.db import Db
from isoflow.store.records import Score
from isoflow.store.scores import write_scores
from isoflow.timestamps import format_timestamp, now_text

WEB = Path(__file__).resolve().parents[2] / "web"
BOXES = """els => els.map(e => {
    const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, w: r.width, h: r.height};
})"""


def boxes(locator: Locator) -> list[dict[str, float]]:
    """Where the browser drew each element `locator` matches, in page pixels."""
    return locator.evaluate_all(BOXES)


def scores(level: str, score: float, count: int, start: int) -> list[Score]:
    """`count` scores at one level and value, two hours old, as the detector writes them."""
    at = format_timestamp(datetime.now(UTC) - timedelta(hours=2))
    return [
        Score(
            accountId="acc_e2e_distribution",
            transactionId=f"txn_e2e_{start + i:05d}",
            timestamp=at,
            revision=1,
            riskScore=score,
            riskLevel=level,
            isAnomaly=level == "HIGH",
            reasons=(),
            scoredAt=now_text(),
            modelVersion="e2e",
        )
        for i in range(count)
    ]


def test_the_risk_distribution_shows_a_few_high_beside_thousands_of_low(dashboard: Any, local_stack: Any) -> None:
    # Thousands of LOW in three bins, a handful of MEDIUM and three HIGH: a linear axis would hide the last two.
    write_scores(
        Db.from_settings(local_stack.aws.settings),
        scores("LOW", 0.15, 1200, 0)
        + scores("LOW", 0.25, 2400, 1200)
        + scores("LOW", 0.35, 400, 3600)
        + scores("MEDIUM", 0.55, 6, 4000)
        + scores("HIGH", 0.85, 3, 4006),
    )
    page = dashboard.open("/")
    panel = page.locator("section.panel", has=page.get_by_role("heading", name="Risk distribution"))
    chart = panel.locator(".recharts-wrapper")
    labels = chart.locator(".recharts-label-list text")
    expect(labels).to_have_count(5)
    assert labels.all_text_contents() == ["1,200", "2,400", "400", "6", "3"]

    # A log axis: ticks at 1, 10, 100, 1,000 and 10,000, evenly spaced.
    ticks = chart.locator(".recharts-yAxis-tick-labels text")
    assert ticks.all_text_contents() == ["1", "10", "100", "1,000", "10,000"]
    tick_ys = [b["y"] for b in boxes(ticks)]
    steps = [a - b for a, b in pairwise(tick_ys)]
    assert max(steps) - min(steps) < 2, f"the count axis is not logarithmic: ticks at {tick_ys}"

    bars = boxes(chart.locator(".recharts-bar-rectangle path"))
    assert len(bars) == 5
    heights = [bar["h"] for bar in bars]
    tallest = max(heights)
    # Three HIGH beside 2,400 LOW: a visible bar, not a hairline (on a linear axis it would be 0.1% as tall).
    assert heights[-1] >= 12 and heights[-1] >= 0.1 * tallest, f"bar heights {heights}"
    assert heights[-2] > heights[-1], "six MEDIUM stand taller than three HIGH"
    # Each count's label sits on its own bar.
    for bar, label in zip(bars, boxes(labels), strict=True):
        assert abs((bar["x"] + bar["w"] / 2) - (label["x"] + label["w"] / 2)) < 2
        assert label["y"] + label["h"] <= bar["y"] + 2
    dashboard.shoot("pictures-risk-distribution")


def test_the_account_chart_places_transactions_by_time_and_one_huge_amount_does_not_flatten_the_rest(
    dashboard: Any,
    accounts: list[Any],
) -> None:
    account_id = accounts[0].accountId
    huge = dashboard.api(
        "POST",
        "/transactions",
        json={
            "accountId": account_id,
            "transactionType": "PURCHASE",
            "amount": 250000,
            "merchant": "Gold Bullion Direct",
            "timestamp": format_timestamp(datetime.now(UTC) - timedelta(days=2)),
        },
    )
    assert huge.status_code == 201, huge.text

    page = dashboard.open(f"/accounts/{account_id}")
    chart = page.get_by_test_id("activity-chart")
    dots = chart.locator(".activity-dot")
    expect(dots).to_have_count(10)
    expect(chart).to_have_attribute("aria-label", re.compile(r"above it drawn at the top edge: .*£250,000\.00"))

    # One y-axis, for amounts; the balance has its own strip with no axis.
    expect(chart.locator(".recharts-yAxis")).to_have_count(1)
    expect(chart.get_by_test_id("balance-strip").locator("path.recharts-line-curve")).to_have_count(1)

    # Date ticks along a time axis: "9 Nov", each at its time, and every transaction at its own time on the same scale.
    ticks = chart.locator(".time-tick")
    labels = ticks.all_text_contents()
    assert len(labels) >= 4 and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", label) for label in labels), labels
    tick_times = [float(t) for t in ticks.evaluate_all("els => els.map(e => e.dataset.time)")]
    tick_xs = [b["x"] + b["w"] / 2 for b in boxes(ticks)]
    scale = (tick_xs[-1] - tick_xs[0]) / (tick_times[-1] - tick_times[0])
    assert scale > 0
    for time, x in zip(tick_times, tick_xs, strict=True):
        assert abs(tick_xs[0] + (time - tick_times[0]) * scale - x) < 2, "ticks are not spaced by time"
    dot_times = [float(t) for t in dots.evaluate_all("els => els.map(e => e.dataset.time)")]
    dot_boxes = boxes(dots)
    for time, dot in zip(dot_times, dot_boxes, strict=True):
        x = dot["x"] + dot["w"] / 2
        assert abs(tick_xs[0] + (time - tick_times[0]) * scale - x) < 2, "a transaction is not placed by its time"

    # The huge amount is pinned at the top edge with its true value; the everyday amounts keep the height.
    plot = boxes(chart.locator(".activity-amounts .recharts-cartesian-grid"))[0]
    amounts = [float(a) for a in dots.evaluate_all("els => els.map(e => e.dataset.amount)")]
    pinned = chart.locator(".activity-dot.pinned")
    expect(pinned.filter(has_text="£250,000.00")).to_have_count(1)
    pinned_amounts = {float(a) for a in pinned.evaluate_all("els => els.map(e => e.dataset.amount)")}
    assert 250000 in pinned_amounts
    everyday = [
        dot["y"] + dot["h"] / 2 for dot, amount in zip(dot_boxes, amounts, strict=True) if amount not in pinned_amounts
    ]
    assert len(everyday) >= 6
    spread = (max(everyday) - min(everyday)) / plot["h"]
    assert spread > 0.4, f"the everyday amounts are squashed into {spread:.0%} of the chart's height"
    top_pin = next(b for b, a in zip(dot_boxes, amounts, strict=True) if a == 250000)
    assert top_pin["y"] < min(everyday), "the huge amount is drawn above every everyday one"

    # Its tooltip reads its true amount.
    x, y = top_pin["x"] + top_pin["w"] / 2, top_pin["y"] + top_pin["h"] - 3
    page.mouse.move(x - 30, y + 30)
    page.mouse.move(x, y, steps=5)
    expect(page.locator(".recharts-tooltip-wrapper").first).to_contain_text("£250,000.00")
    dashboard.shoot("pictures-account-activity")


# The run graph as drawn: each state's box and each edge's path sampled every two units along its length,
# all in the graph's own coordinates.
GRAPH_GEOMETRY = """svg => ({
    states: [...svg.querySelectorAll('[data-state]')].map(g => {
        const r = g.querySelector('rect.box');
        const at = name => Number(r.getAttribute(name));
        return {id: g.dataset.state, x: at('x'), y: at('y'), w: at('width'), h: at('height')};
    }),
    edges: [...svg.querySelectorAll('.edge-group')].map(g => {
        const path = g.querySelector('path.edge');
        const length = path.getTotalLength();
        const points = [];
        for (let l = 0; l <= length; l += 2) {
            const p = path.getPointAtLength(l);
            points.push([p.x, p.y]);
        }
        return {from: g.dataset.from, to: g.dataset.to, points};
    }),
})"""


def transitions(machine: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (state, next state) pair of a definition, nested machines included."""
    found = set()
    for name, state in machine["States"].items():
        targets = [state.get("Next"), state.get("Default")]
        targets += [rule["Next"] for rule in state.get("Choices", []) + state.get("Catch", [])]
        found |= {(name, target) for target in targets if target}
        for sub in [state.get("ItemProcessor") or state.get("Iterator"), *state.get("Branches", [])]:
            if sub:
                found |= transitions(sub)
    return found


def test_the_run_graph_draws_no_edge_through_a_state_it_does_not_connect(
    dashboard: Any,
    accounts: list[Any],
) -> None:
    page = dashboard.open("/runs")
    page.get_by_role("button", name="Run detection now").click()
    expect(page).to_have_url(re.compile(r"/runs/run-"))
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "SUCCEEDED", timeout=RUN_TIMEOUT_MS)
    graph = page.get_by_test_id("state-graph")
    expect(graph.locator('[data-state="DetectionFailed"]')).to_be_visible()

    # The web unit tests route the same machine from a copy of its definition: the copy must still be current.
    execution = dashboard.api("GET", f"/executions/{page.url.rsplit('/', 1)[1]}").json()
    definition = execution["definition"]
    definition = json.loads(definition) if isinstance(definition, str) else definition
    copy = json.loads((WEB / "src" / "lib" / "detectionDefinition.json").read_text())
    assert transitions(definition) == transitions(copy), "web/src/lib/detectionDefinition.json is out of date"

    drawn = graph.evaluate(GRAPH_GEOMETRY)
    states = {state["id"]: state for state in drawn["states"]}
    assert {"CheckModels", "RefitDue?", "ScoreAccounts", "ScoreAccountBatch", "DetectionFailed"} <= states.keys()
    assert len(drawn["edges"]) >= 15

    def inside(point: list[float], box: dict[str, float], inset: float = 1.5) -> bool:
        x, y = point
        return box["x"] + inset < x < box["x"] + box["w"] - inset and box["y"] + inset < y < box["y"] + box["h"] - inset

    def around(state_id: str) -> set[str]:
        """The state and the boxes (a Map's, a Parallel's) drawn around it."""
        box = states[state_id]
        return {
            other["id"]
            for other in states.values()
            if other["x"] <= box["x"]
            and other["y"] <= box["y"]
            and other["x"] + other["w"] >= box["x"] + box["w"]
            and other["y"] + other["h"] >= box["y"] + box["h"]
        }

    crossings = []
    for edge in drawn["edges"]:
        own = around(edge["from"]) | around(edge["to"])
        for state in states.values():
            if state["id"] not in own and any(inside(point, state) for point in edge["points"]):
                crossings.append(f"{edge['from']} -> {edge['to']} crosses {state['id']}")
    assert not crossings, crossings
    dashboard.shoot("pictures-run-graph")
