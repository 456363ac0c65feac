import { describe, expect, it } from "vitest";
import type { Transaction } from "../api/types";
import { nextOpenIndex, queueRows, selectAt, selectedIndex } from "./queueRows";

const item = (id: string, timestamp: string, judged = false) =>
  ({
    transactionId: id,
    timestamp,
    ...(judged ? { feedback: { verdict: "CONFIRMED", at: timestamp } } : {}),
  }) as Transaction;

const ids = (rows: Transaction[]) => rows.map((t) => t.transactionId);

describe("queueRows", () => {
  const a = item("a", "2026-12-03T00:00:00Z");
  const b = item("b", "2026-12-02T00:00:00Z");
  const c = item("c", "2026-12-01T00:00:00Z");

  it("keeps an item judged here where it was once the open queue no longer lists it", () => {
    const judged = item("b", "2026-12-02T00:00:00Z", true);
    const rows = queueRows([a, c], [judged]);
    expect(ids(rows)).toEqual(["a", "b", "c"]);
    expect(rows[1]?.feedback?.verdict).toBe("CONFIRMED");
  });

  it("shows the listed item when the API still lists it", () => {
    const judged = item("b", "2026-12-02T00:00:00Z", true);
    const rows = queueRows([a, b, c], [judged]);
    expect(rows).toEqual([a, b, c]);
  });
});

describe("the selection", () => {
  const rows = [item("a", "3"), item("b", "2", true), item("c", "1")];

  it("follows its item when rows come and go", () => {
    expect(selectedIndex(rows, { id: "c", index: 0 })).toBe(2);
    expect(selectedIndex(rows.slice(1), selectAt(rows, 2))).toBe(1);
  });

  it("stays where it was when its item has gone, within the rows", () => {
    expect(selectedIndex(rows, { id: "gone", index: 1 })).toBe(1);
    expect(selectedIndex(rows, { index: Infinity })).toBe(2);
    expect(selectedIndex([], { index: 0 })).toBe(-1);
  });

  it("moves to the next open item after a verdict, back to the first still open after the last", () => {
    expect(nextOpenIndex(rows, 0)).toBe(2);
    expect(nextOpenIndex(rows, 2)).toBe(0);
    expect(nextOpenIndex([item("a", "2", true), item("b", "1")], 1)).toBe(1);
    expect(nextOpenIndex([item("a", "2"), item("b", "1", true)], 0)).toBe(1);
  });
});
