import { describe, expect, it } from "vitest";
import { queryString } from "../api/client";
import { anomalyQuery, parseQueueFilters, queueStatus } from "./queueFilters";

describe("parseQueueFilters", () => {
  it("keeps valid filters from the URL", () => {
    expect(
      parseQueueFilters({
        status: "closed",
        level: "HIGH",
        accountId: " acc_0123456789abcdef ",
        from: "2026-12-01",
        to: "2026-12-02",
      }),
    ).toEqual({
      status: "closed",
      level: "HIGH",
      accountId: "acc_0123456789abcdef",
      from: "2026-12-01",
      to: "2026-12-02",
    });
  });

  it("reads no status as the open queue, and drops malformed values", () => {
    expect(parseQueueFilters({ status: "open" })).toEqual({});
    expect(parseQueueFilters({ status: "pending", level: "LOW", from: "today", accountId: " " })).toEqual({});
    expect(queueStatus({})).toBe("open");
  });

  it("reads a link's minLevel=HIGH as the high-risk items", () => {
    expect(parseQueueFilters({ minLevel: "HIGH" })).toEqual({ level: "HIGH" });
    expect(parseQueueFilters({ minLevel: "MEDIUM" })).toEqual({});
  });
});

describe("anomalyQuery", () => {
  it("asks for the open queue of both levels by default", () => {
    expect(anomalyQuery({}, { limit: 50 })).toEqual({ minLevel: "MEDIUM", status: "open", limit: 50 });
  });

  it("asks for one level, an account and whole UTC days", () => {
    const query = anomalyQuery({ level: "MEDIUM", accountId: "acc_1", from: "2026-12-01", to: "2026-12-01" });
    expect(queryString(query)).toBe(
      "?minLevel=MEDIUM&riskLevel=MEDIUM&status=open&accountId=acc_1&from=2026-12-01T00%3A00%3A00Z&to=2026-12-01T23%3A59%3A59Z",
    );
  });

  it("leaves the status out for all items, and passes the cursor", () => {
    expect(anomalyQuery({ status: "all" }, { cursor: "abc" })).toEqual({ minLevel: "MEDIUM", cursor: "abc" });
    expect(anomalyQuery({ status: "closed" })).toMatchObject({ status: "closed" });
  });
});
