import { describe, expect, it } from "vitest";
import type { Transaction } from "../api/types";
import { activityPoints, everyDay } from "./charts";

describe("everyDay", () => {
  it("fills the days without scores with zeros so the time axis is even", () => {
    const days = everyDay([{ date: "2026-11-02", HIGH: 2 }], "2026-11-01T09:30:00Z", Date.parse("2026-11-03T12:00:00Z"));
    expect(days).toEqual([
      { date: "2026-11-01", LOW: 0, MEDIUM: 0, HIGH: 0 },
      { date: "2026-11-02", HIGH: 2 },
      { date: "2026-11-03", LOW: 0, MEDIUM: 0, HIGH: 0 },
    ]);
  });
});

describe("activityPoints", () => {
  it("puts an account's transactions in time order with their amounts and balances", () => {
    const tx = (id: string, timestamp: string, amount: number, balanceAfter: number) =>
      ({ transactionId: id, timestamp, amount, balanceAfter, riskLevel: null }) as Transaction;
    const points = activityPoints([tx("b", "2026-11-02T00:00:00Z", 20, 80), tx("a", "2026-11-01T00:00:00Z", 100, 100)]);
    expect(points.map((p) => [p.transaction.transactionId, p.amount, p.balance])).toEqual([
      ["a", 100, 100],
      ["b", 20, 80],
    ]);
  });
});
