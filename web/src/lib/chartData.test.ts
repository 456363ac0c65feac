import { describe, expect, it } from "vitest";
import type { Transaction } from "../api/types";
import {
  activityPoints,
  activityView,
  amountAxis,
  everyDay,
  niceAxis,
  stackPinLabels,
  timeDomain,
  timeTickLabel,
  timeTicks,
  type ActivityPoint,
} from "./chartData";

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

const DAY = 24 * 60 * 60 * 1000;

describe("amountAxis", () => {
  // The browser tests' demo account: a month of everyday spending, a payroll deposit and one large purchase.
  const month = [2500, 42.1, 18.75, 120, 55.3, 60, 23.4, 61.9, 1890];

  it("gives everyday amounts the height and pins the amounts far above them at the top edge", () => {
    const axis = amountAxis(month);
    expect(axis.top).toBeGreaterThanOrEqual(120);
    expect(axis.top).toBeLessThan(200);
    expect(axis.pinned).toBe(2);
    expect(axis.ticks[0]).toBe(0);
    expect(axis.ticks[axis.ticks.length - 1]).toBe(axis.top);
  });

  it("is not moved by one huge amount", () => {
    expect(amountAxis([...month, 250_000])).toEqual({ ...amountAxis(month), pinned: 3 });
  });

  it("pins nothing when no amount stands far above the rest", () => {
    const axis = amountAxis([40, 55, 70, 90, 300]);
    expect(axis.pinned).toBe(0);
    expect(axis.top).toBeGreaterThanOrEqual(300);
  });

  it("pins nothing with too few amounts to say what is usual", () => {
    expect(amountAxis([10, 5000, 20]).pinned).toBe(0);
    expect(amountAxis([]).top).toBeGreaterThan(0);
  });
});

describe("niceAxis", () => {
  it("rounds up to a round number in round steps", () => {
    expect(niceAxis(120)).toEqual({ top: 150, ticks: [0, 50, 100, 150] });
    expect(niceAxis(2500).ticks).toEqual([0, 1000, 2000, 3000]);
    expect(niceAxis(0.3)).toEqual({ top: 0.4, ticks: [0, 0.1, 0.2, 0.3, 0.4] });
  });
});

describe("timeTicks", () => {
  it("ticks at local midnights across a month, no more than asked for", () => {
    const start = new Date(2026, 10, 6, 18, 21).getTime();
    const ticks = timeTicks(start, start + 30 * DAY, 8);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(8);
    for (const t of ticks) {
      expect(new Date(t).getHours()).toBe(0);
      expect(new Date(t).getMinutes()).toBe(0);
      expect(t).toBeGreaterThanOrEqual(start);
      expect(t).toBeLessThanOrEqual(start + 30 * DAY);
    }
    expect(timeTickLabel(new Date(2026, 10, 9).getTime(), ticks)).toBe("9 Nov");
  });

  it("ticks on the hour within a day and by month over a year", () => {
    const start = new Date(2026, 10, 6, 8, 10).getTime();
    const hours = timeTicks(start, start + 10 * 60 * 60 * 1000);
    expect(hours.every((t) => new Date(t).getMinutes() === 0)).toBe(true);
    expect(timeTickLabel(hours[0] as number, hours)).toMatch(/^6 Nov \d\d:00$/);
    const months = timeTicks(start, start + 365 * DAY);
    expect(months.every((t) => new Date(t).getDate() === 1)).toBe(true);
    expect(timeTickLabel(months[0] as number, months)).toMatch(/^[A-Z][a-z]{2} 20\d\d$/);
  });
});

describe("timeDomain", () => {
  it("spans the transactions with room either side, and a day around a single one", () => {
    const [from, to] = timeDomain([1000 * DAY, 1010 * DAY]);
    expect(from).toBeLessThan(1000 * DAY);
    expect(to).toBeGreaterThan(1010 * DAY);
    expect(timeDomain([5 * DAY])).toEqual([4.5 * DAY, 5.5 * DAY]);
  });
});

describe("activityView", () => {
  const tx = (id: string, days: number, amount: number) =>
    ({
      transactionId: id,
      timestamp: new Date(Date.UTC(2026, 10, 1) + days * DAY).toISOString(),
      transactionType: "PURCHASE",
      amount,
      riskLevel: null,
    }) as Transaction;

  it("places each transaction by its time and draws a pinned one at the top edge with its true amount", () => {
    const view = activityView(
      [tx("a", 0, 20), tx("b", 1, 35), tx("c", 1.5, 28), tx("d", 9, 40), tx("e", 10, 90_000)],
      1000,
      "GBP",
    );
    expect(view.points.map((p) => p.time)).toEqual([0, 1, 1.5, 9, 10].map((d) => Date.UTC(2026, 10, 1) + d * DAY));
    const huge = view.points.find((p) => p.transaction.transactionId === "e");
    expect(huge).toMatchObject({ pinned: true, plotted: view.axis.top, amount: 90_000 });
    expect(view.points.filter((p) => p.pinned)).toHaveLength(1);
    expect(view.axis.top).toBeLessThan(100);
    expect(view.domain[0]).toBeLessThan(view.points[0]?.time as number);
    expect(view.summary).toContain("5 transaction amounts by time");
    expect(view.summary).toContain("1 above it drawn at the top edge: £90,000.00");
  });
});

describe("stackPinLabels", () => {
  it("puts a pinned amount's label on the second row when its neighbour's is too close", () => {
    const pins = [0, 50, 51, 52, 80].map((time) => ({ time }) as ActivityPoint);
    stackPinLabels(pins, [0, 100]);
    expect(pins.map((p) => p.labelRow)).toEqual([0, 0, 1, 0, 0]);
  });
});
