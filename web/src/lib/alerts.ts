import type { ExecutionSummary, RunSummary } from "../api/types";

/** A run's alert of new high-risk anomalies, as the bell lists it. */
export type RunAlert = NonNullable<RunSummary["alert"]> & { executionId: string; at: string };

/** The alerts among the runs (newest first, as the API lists them). */
export function alertsOf(runs: ExecutionSummary[]): RunAlert[] {
  return runs.flatMap((run) =>
    run.summary?.alert
      ? [{ ...run.summary.alert, executionId: run.executionId, at: run.summary.finishedAt ?? run.startedAt }]
      : [],
  );
}

/** How many alerts came after `seenUntil` (the newest alert the person saw; null: none yet). */
export function unreadCount(alerts: RunAlert[], seenUntil: string | null): number {
  return alerts.filter((alert) => seenUntil === null || alert.at > seenUntil).length;
}

/** The newest alert's time: what opening the list marks as seen. */
export function newestAlert(alerts: RunAlert[]): string | null {
  return alerts.reduce<string | null>(
    (newest, alert) => (newest === null || alert.at > newest ? alert.at : newest),
    null,
  );
}
