import { describe, expect, it } from "vitest";
import { queryString } from "../api/client";
import { dayRange, hasFilters, parseTransactionFilters, transactionQuery } from "./filters";

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
      }),
    ).toEqual({
      accountId: "acc_0123456789abcdef",
      transactionType: "PURCHASE",
      riskLevel: "HIGH",
      minScore: 0.7,
      from: "2026-11-01",
      to: "2026-11-24",
    });
  });

  it("drops malformed values instead of failing the page", () => {
    expect(
      parseTransactionFilters({
        transactionType: "REFUND",
        riskLevel: "low",
        minScore: "2",
        from: "yesterday",
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

describe("dayRange", () => {
  it("covers whole UTC days, either end open", () => {
    expect(dayRange("2026-12-01", undefined)).toEqual({ from: "2026-12-01T00:00:00Z", to: undefined });
    expect(dayRange(undefined, "2026-12-01")).toEqual({ from: undefined, to: "2026-12-01T23:59:59Z" });
  });
});

describe("hasFilters", () => {
  it("is false for no filters and true for any, a zero minimum score included", () => {
    expect(hasFilters({})).toBe(false);
    expect(hasFilters({ minScore: 0 })).toBe(true);
  });

  it("ignores what the URL used to carry for a sort that sorted one page", () => {
    expect(parseTransactionFilters({ sort: "amount", dir: "asc" })).toEqual({});
  });
});
