import type { QueryValue } from "../api/client";
import {
  ACCOUNT_SORTS,
  ACCOUNT_TYPES,
  RISK_LEVELS,
  SORT_ORDERS,
  type AccountSort,
  type AccountType,
  type RiskLevel,
  type SortOrder,
} from "../api/types";
import { defined, oneOf } from "./filters";

/** The Accounts list as the URL holds it: filters, a search by name, and the order the API lists them in. */
export interface AccountListSearch {
  q?: string;
  accountType?: AccountType;
  riskLevel?: RiskLevel;
  stale?: boolean;
  /** By name unless set. */
  sort?: AccountSort;
  /** The sort's usual direction unless set. */
  order?: SortOrder;
}

/** The API's limit on a search. */
export const SEARCH_MAX = 100;

/** Names A–Z; the greatest risk or balance and the newest activity first. */
export function defaultOrder(sort: AccountSort = "name"): SortOrder {
  return sort === "name" ? "asc" : "desc";
}

export const SORT_LABELS: Record<AccountSort, { label: string; asc: string; desc: string }> = {
  name: { label: "Name", asc: "A–Z", desc: "Z–A" },
  risk: { label: "Risk", asc: "Lowest first", desc: "Highest first" },
  balance: { label: "Balance", asc: "Lowest first", desc: "Highest first" },
  lastActivity: { label: "Last activity", asc: "Oldest first", desc: "Newest first" },
};

/** Which accounts a sort leaves out: the API orders only those it has a value for. */
export function sortCaveat(sort: AccountSort | undefined): string | undefined {
  if (sort === "risk") return "Only accounts scored so far are listed in risk order.";
  if (sort === "lastActivity") return "Only accounts with transactions are listed by last activity.";
  return undefined;
}

/** Reads the list's search from the URL, dropping anything malformed and an order that is the sort's usual. */
export function parseAccountListSearch(search: Record<string, unknown>): AccountListSearch {
  const sort = oneOf(ACCOUNT_SORTS, search.sort);
  const order = oneOf(SORT_ORDERS, search.order);
  const q = typeof search.q === "string" ? search.q.trim().slice(0, SEARCH_MAX) : "";
  return defined({
    q: q || undefined,
    accountType: oneOf(ACCOUNT_TYPES, search.accountType),
    riskLevel: oneOf(RISK_LEVELS, search.riskLevel),
    stale: search.stale === true || search.stale === "true" ? true : undefined,
    sort: sort === "name" ? undefined : sort,
    order: order === defaultOrder(sort) ? undefined : order,
  });
}

/** The GET /accounts query for the list's search. */
export function accountQuery(
  search: AccountListSearch,
  page: { cursor?: string; limit?: number } = {},
): Record<string, QueryValue> {
  const sort = search.sort ?? "name";
  return {
    q: search.q,
    accountType: search.accountType,
    riskLevel: search.riskLevel,
    stale: search.stale,
    sort,
    order: search.order ?? defaultOrder(sort),
    cursor: page.cursor,
    limit: page.limit,
  };
}
