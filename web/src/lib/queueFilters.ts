import type { AnomalyParams } from "../api/client";
import { accountIdFrom, dayRange, defined, isDay, oneOf } from "./filters";

/** Which items of the queue: open ones wait for a verdict, closed ones have one. */
export const QUEUE_STATUSES = ["open", "closed", "all"] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** Medium and high (the whole queue, when unset), or one level. */
export const QUEUE_LEVELS = ["HIGH", "MEDIUM"] as const;
export type QueueLevel = (typeof QUEUE_LEVELS)[number];

/** The Anomalies page's filters, as they live in the URL: open items of both levels when none is set. */
export interface QueueFilters {
  status?: Exclude<QueueStatus, "open">;
  level?: QueueLevel;
  accountId?: string;
  /** UTC calendar days, inclusive. */
  from?: string;
  to?: string;
}

/** What links to the queue may say: its filters, or `minLevel=HIGH` for the high-risk items. */
export type QueueSearch = Omit<QueueFilters, "status"> & { status?: QueueStatus; minLevel?: "HIGH" };

/** Reads the queue's filters from the URL's search, dropping anything malformed. */
export function parseQueueFilters(search: Record<string, unknown>): QueueFilters {
  const status = oneOf(QUEUE_STATUSES, search.status);
  return defined({
    status: status === "open" ? undefined : status,
    level: oneOf(QUEUE_LEVELS, search.level) ?? (search.minLevel === "HIGH" ? "HIGH" : undefined),
    accountId: accountIdFrom(search.accountId),
    from: isDay(search.from) ? search.from : undefined,
    to: isDay(search.to) ? search.to : undefined,
  });
}

export function queueStatus(filters: QueueFilters): QueueStatus {
  return filters.status ?? "open";
}

/** The GET /anomalies query for the filters. */
export function anomalyQuery(filters: QueueFilters, page: { cursor?: string; limit?: number } = {}): AnomalyParams {
  const status = queueStatus(filters);
  return defined<AnomalyParams>({
    minLevel: "MEDIUM",
    riskLevel: filters.level,
    status: status === "all" ? undefined : status,
    accountId: filters.accountId,
    ...dayRange(filters.from, filters.to),
    cursor: page.cursor,
    limit: page.limit,
  });
}
