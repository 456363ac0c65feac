import type { QueryValue } from "../api/client";
import { RISK_LEVELS, TRANSACTION_TYPES, type RiskLevel, type TransactionType } from "../api/types";

/** The Transactions page's filters, as they live in the URL. Dates are UTC calendar days. */
export interface TransactionFilters {
  accountId?: string;
  transactionType?: TransactionType;
  riskLevel?: RiskLevel;
  minScore?: number;
  from?: string;
  to?: string;
}

/** A UTC calendar day as the date inputs and the URL hold it: 2026-11-24. */
export function isDay(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

export function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === "string" && (values as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** An account id from the URL, trimmed; none when blank. */
export function accountIdFrom(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/** Whole UTC days as the API's inclusive timestamp range. */
export function dayRange(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  return {
    from: from ? `${from}T00:00:00Z` : undefined,
    to: to ? `${to}T23:59:59Z` : undefined,
  };
}

/** Drops the keys left undefined, so the URL holds only what is set. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Reads filters from the URL's search, dropping anything malformed instead of failing the page. */
export function parseTransactionFilters(search: Record<string, unknown>): TransactionFilters {
  const minScore = typeof search.minScore === "string" ? Number(search.minScore) : search.minScore;
  return defined({
    accountId: accountIdFrom(search.accountId),
    transactionType: oneOf(TRANSACTION_TYPES, search.transactionType),
    riskLevel: oneOf(RISK_LEVELS, search.riskLevel),
    minScore: typeof minScore === "number" && minScore >= 0 && minScore <= 1 ? minScore : undefined,
    from: isDay(search.from) ? search.from : undefined,
    to: isDay(search.to) ? search.to : undefined,
  });
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
    ...dayRange(filters.from, filters.to),
    cursor: page.cursor,
    limit: page.limit,
  };
}

export function hasFilters(filters: TransactionFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined);
}
