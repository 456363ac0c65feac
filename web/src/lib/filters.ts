import type { QueryValue } from "../api/client";
import { RISK_LEVELS, TRANSACTION_TYPES, type RiskLevel, type Transaction, type TransactionType } from "../api/types";

/** The Transactions page's filters and sort, as they live in the URL. Dates are UTC calendar days. */
export interface TransactionFilters {
  accountId?: string;
  transactionType?: TransactionType;
  riskLevel?: RiskLevel;
  minScore?: number;
  from?: string;
  to?: string;
  sort?: SortKey;
  dir?: "asc" | "desc";
}

export const SORT_KEYS = ["timestamp", "amount", "riskScore"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === "string" && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** Reads filters from the URL's search, dropping anything malformed instead of failing the page. */
export function parseTransactionFilters(search: Record<string, unknown>): TransactionFilters {
  const filters: TransactionFilters = {};
  if (typeof search.accountId === "string" && search.accountId.trim()) filters.accountId = search.accountId.trim();
  filters.transactionType = oneOf(TRANSACTION_TYPES, search.transactionType);
  filters.riskLevel = oneOf(RISK_LEVELS, search.riskLevel);
  const minScore = typeof search.minScore === "string" ? Number(search.minScore) : search.minScore;
  if (typeof minScore === "number" && minScore >= 0 && minScore <= 1) filters.minScore = minScore;
  if (typeof search.from === "string" && DAY.test(search.from)) filters.from = search.from;
  if (typeof search.to === "string" && DAY.test(search.to)) filters.to = search.to;
  filters.sort = oneOf(SORT_KEYS, search.sort);
  filters.dir = oneOf(["asc", "desc"] as const, search.dir);
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as TransactionFilters;
}

/** The GET /transactions query for the filters: whole UTC days become an inclusive timestamp range. */
export function transactionQuery(
  filters: TransactionFilters,
  page: { cursor?: string; limit?: number } = {},
): Record<string, QueryValue> {
  return {
    accountId: filters.accountId,
    transactionType: filters.transactionType,
    riskLevel: filters.riskLevel,
    minScore: filters.minScore,
    from: filters.from ? `${filters.from}T00:00:00Z` : undefined,
    to: filters.to ? `${filters.to}T23:59:59Z` : undefined,
    cursor: page.cursor,
    limit: page.limit,
  };
}

export function hasFilters(filters: TransactionFilters): boolean {
  return ["accountId", "transactionType", "riskLevel", "minScore", "from", "to"].some(
    (key) => filters[key as keyof TransactionFilters] !== undefined,
  );
}

/**
 * Sorts one loaded page (the API pages newest first). Unscored transactions sort after scored ones
 * whichever the direction, so "highest score first" never starts with blanks.
 */
export function sortTransactions(items: Transaction[], sort: SortKey = "timestamp", dir: "asc" | "desc" = "desc") {
  const sign = dir === "asc" ? 1 : -1;
  const value = (t: Transaction): number | string | undefined =>
    sort === "timestamp" ? t.timestamp : sort === "amount" ? Number(t.amount) : (t.riskScore ?? undefined);
  return [...items].sort((a, b) => {
    const left = value(a);
    const right = value(b);
    if (left === undefined && right === undefined) return 0;
    if (left === undefined) return 1;
    if (right === undefined) return -1;
    return left < right ? -sign : left > right ? sign : 0;
  });
}
