import { describe, expect, it } from "vitest";
import { queryString } from "../api/client";
import type { Transaction } from "../api/types";
import { hasFilters, parseTransactionFilters, sortTransactions, transactionQuery } from "./filters";

describe("parseTransactionFilters", () => {
  it("keeps valid filters from the URL", () => {
    expect(
      parseTransactionFilters({
        accountId: " acc_0123456789abcdef ",
        transactionType: "PURCHASE",
        riskLevel: "HIGH",
        minScore: "0.7",
        from: "2026-11-01",
        to: "2026-11-24",
        sort: "amount",
        dir: "asc",
      }),
    ).toEqual({
      accountId: "acc_0123456789abcdef",
      transactionType: "PURCHASE",
      riskLevel: "HIGH",
      minScore: 0.7,
      from: "2026-11-01",
      to: "2026-11-24",
      sort: "amount",
      dir: "asc",
    });
  });

  it("drops malformed values instead of failing the page", () => {
    expect(
      parseTransactionFilters({
        transactionType: "REFUND",
        riskLevel: "low",
        minScore: "2",
        from: "yesterday",
        sort: "name",
        accountId: "  ",
      }),
    ).toEqual({});
  });
});

describe("transactionQuery", () => {
  it("turns whole UTC days into an inclusive timestamp range and leaves out what is unset", () => {
    const query = transactionQuery({ from: "2026-11-01", to: "2026-11-02", riskLevel: "MEDIUM" }, { limit: 50 });
    expect(queryString(query)).toBe(
      "?riskLevel=MEDIUM&from=2026-11-01T00%3A00%3A00Z&to=2026-11-02T23%3A59%3A59Z&limit=50",
    );
  });

  it("passes the account, type, minimum score and cursor through", () => {
    const query = transactionQuery({ accountId: "acc_1", transactionType: "DEPOSIT", minScore: 0 }, { cursor: "abc" });
    expect(query).toMatchObject({ accountId: "acc_1", transactionType: "DEPOSIT", minScore: 0, cursor: "abc" });
    expect(queryString(query)).toContain("minScore=0");
  });
});

describe("hasFilters", () => {
  it("ignores the sort order", () => {
    expect(hasFilters({ sort: "amount", dir: "asc" })).toBe(false);
    expect(hasFilters({ minScore: 0 })).toBe(true);
  });
});

describe("sortTransactions", () => {
  const tx = (id: string, amount: number, riskScore: number | null, timestamp: string) =>
    ({ transactionId: id, amount, riskScore, timestamp }) as Transaction;
  const items = [
    tx("a", 10, 0.2, "2026-11-01T00:00:00Z"),
    tx("b", 500, null, "2026-11-03T00:00:00Z"),
    tx("c", 80, 0.9, "2026-11-02T00:00:00Z"),
  ];

  it("sorts by amount either way", () => {
    expect(sortTransactions(items, "amount", "desc").map((t) => t.transactionId)).toEqual(["b", "c", "a"]);
    expect(sortTransactions(items, "amount", "asc").map((t) => t.transactionId)).toEqual(["a", "c", "b"]);
  });

  it("puts unscored transactions last whichever the direction", () => {
    expect(sortTransactions(items, "riskScore", "desc").map((t) => t.transactionId)).toEqual(["c", "a", "b"]);
    expect(sortTransactions(items, "riskScore", "asc").map((t) => t.transactionId)).toEqual(["a", "c", "b"]);
  });

  it("defaults to newest first", () => {
    expect(sortTransactions(items).map((t) => t.transactionId)).toEqual(["b", "c", "a"]);
  });
});
