import { describe, expect, it } from "vitest";
import { accountQuery, defaultOrder, parseAccountListSearch, sortCaveat } from "./accountList";

describe("parseAccountListSearch", () => {
  it("keeps a search, filters and an order other than the sort's usual", () => {
    expect(
      parseAccountListSearch({ q: "  ada ", accountType: "SAVINGS", stale: "true", sort: "balance", order: "asc" }),
    ).toEqual({ q: "ada", accountType: "SAVINGS", stale: true, sort: "balance", order: "asc" });
  });

  it("drops the usual order, the default sort and anything malformed", () => {
    expect(parseAccountListSearch({ sort: "name", order: "asc" })).toEqual({});
    expect(parseAccountListSearch({ sort: "risk", order: "desc" })).toEqual({ sort: "risk" });
    expect(parseAccountListSearch({ sort: "age", order: "up", q: "   ", riskLevel: "SEVERE" })).toEqual({});
  });

  it("cuts a search to the API's limit", () => {
    expect(parseAccountListSearch({ q: "x".repeat(150) }).q).toHaveLength(100);
  });
});

describe("accountQuery", () => {
  it("asks for names A–Z by default and each other sort greatest or newest first", () => {
    expect(accountQuery({}, { limit: 50 })).toMatchObject({ sort: "name", order: "asc", limit: 50 });
    expect(accountQuery({ sort: "lastActivity" })).toMatchObject({ sort: "lastActivity", order: "desc" });
    expect(accountQuery({ sort: "balance", order: "asc", q: "ada" })).toMatchObject({
      sort: "balance",
      order: "asc",
      q: "ada",
    });
    expect(defaultOrder("risk")).toBe("desc");
  });
});

describe("sortCaveat", () => {
  it("says which accounts the risk and last-activity orders leave out", () => {
    expect(sortCaveat("risk")).toMatch(/scored/);
    expect(sortCaveat("lastActivity")).toMatch(/transactions/);
    expect(sortCaveat("balance")).toBeUndefined();
  });
});
