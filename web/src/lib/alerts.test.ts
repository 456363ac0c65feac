import { describe, expect, it } from "vitest";
import type { ExecutionSummary } from "../api/types";
import { alertsOf, newestAlert, unreadCount } from "./alerts";

function run(executionId: string, finishedAt: string, count: number | null): ExecutionSummary {
  return {
    executionId,
    status: "SUCCEEDED",
    startedAt: finishedAt,
    durationSeconds: 3,
    summary: {
      accounts: 3,
      accountsScored: 3,
      accountsCleared: 3,
      accountsStillStale: 0,
      accountsFailed: 0,
      riskLevels: { LOW: 8, MEDIUM: 0, HIGH: count ?? 0 },
      transactionsScored: 10,
      anomalies: count ?? 0,
      batches: 1,
      failedBatches: 0,
      failures: [],
      startedAt: finishedAt,
      finishedAt,
      durationSeconds: 3,
      ...(count === null ? {} : { alert: { count, top: [], delivered: ["topic"], failed: [] } }),
    },
  };
}

describe("the alert bell", () => {
  const runs = [
    run("run-3", "2026-12-06T10:20:00Z", 2),
    run("run-2", "2026-12-06T10:10:00Z", null),
    run("run-1", "2026-12-06T10:00:00Z", 5),
  ];

  it("lists the runs that sent an alert, newest first", () => {
    expect(alertsOf(runs).map((a) => [a.executionId, a.count])).toEqual([
      ["run-3", 2],
      ["run-1", 5],
    ]);
  });

  it("counts the alerts after the newest one seen", () => {
    const alerts = alertsOf(runs);
    expect(unreadCount(alerts, null)).toBe(2);
    expect(unreadCount(alerts, "2026-12-06T10:00:00Z")).toBe(1);
    expect(unreadCount(alerts, newestAlert(alerts))).toBe(0);
    expect(newestAlert([])).toBeNull();
  });
});
