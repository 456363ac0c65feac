import { describe, expect, it } from "vitest";
import type { Transaction } from "../api/types";
import { activityPoints, everyDay } from "./chartData";

describe("everyDay", () => {
  it("fills the days without scores with zeros so the time axis is even", () => {
    const days = everyDay(
      [{ date: "2026-11-02", HIGH: 2 }],
      "2026-11-01T09:30:00Z",
      Date.parse("2026-11-03T12:00:00Z"),
    );
    expect(days).toEqual([
      { date: "2026-11-01", LOW: 0, MEDIUM: 0, HIGH: 0 },
      { date: "2026-11-02", HIGH: 2 },
      { date: "2026-11-03", LOW: 0, MEDIUM: 0, HIGH: 0 },
    ]);
  });
});

describe("activityPoints", () => {
  it("puts an account's transactions in time order with the balance after each, back from the balance now", () => {
    const tx = (id: string, timestamp: string, transactionType: string, amount: number) =>
      ({ transactionId: id, timestamp, transactionType, amount, riskLevel: null }) as Transaction;
    // Written in this order: the deposits, then a withdrawal dated before both (a late settlement).
    const points = activityPoints(
      [
        tx("c", "2026-12-02T00:00:00Z", "DEPOSIT", 50),
        tx("b", "2026-12-01T00:00:00Z", "DEPOSIT", 100),
        tx("a", "2026-11-01T00:00:00Z", "WITHDRAWAL", 30),
      ],
      120,
    );
    expect(points.map((p) => [p.transaction.transactionId, p.balance])).toEqual([
      ["a", -30],
      ["b", 70],
      ["c", 120],
    ]);
  });
});
