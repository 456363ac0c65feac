import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatDuration,
  formatSeconds,
  parseTime,
  shortId,
  summaryText,
  triggerLabel,
  verdictGiven,
} from "./format";

describe("parseTime", () => {
  it("reads the API's timestamps and Step Functions' microsecond ones alike", () => {
    expect(parseTime("2026-11-24T15:57:11Z")).toBe(Date.UTC(2026, 10, 24, 15, 57, 11));
    expect(parseTime("2026-11-24T16:05:14.996000+00:00")).toBe(Date.UTC(2026, 10, 24, 16, 5, 14, 996));
    expect(parseTime("2026-11-24 16:05:14.996000+00:00")).toBe(Date.UTC(2026, 10, 24, 16, 5, 14, 996));
    expect(parseTime("not a time")).toBeUndefined();
  });
});

describe("durations", () => {
  it("read the way a person says them", () => {
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(4_000)).toBe("4.0 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatSeconds(0)).toBe("< 1 s");
    expect(formatSeconds(42)).toBe("42 s");
  });

  it("say how long ago something happened", () => {
    const now = Date.UTC(2026, 10, 24, 12, 0, 0);
    expect(formatAge("2026-11-24T11:57:00Z", now)).toBe("3 min ago");
    expect(formatAge("2026-11-22T12:00:00Z", now)).toBe("2 d ago");
  });
});

describe("labels", () => {
  it("shorten ids and name triggers", () => {
    expect(shortId("acc_0123456789abcdef", 8)).toBe("acc_01234567…");
    expect(triggerLabel("api")).toBe("API");
    expect(triggerLabel("schedule")).toBe("Schedule");
  });
});

describe("summaryText", () => {
  it("says what a run did in one line, and what it could not do", () => {
    const summary = {
      accounts: 1200,
      accountsScored: 1190,
      accountsCleared: 1190,
      accountsStillStale: 0,
      accountsFailed: 10,
      transactionsScored: 3400,
      riskLevels: { LOW: 3390, HIGH: 10 },
      anomalies: 10,
      batches: 12,
      failedBatches: 1,
      failures: [{ batch: 3 }],
      startedAt: "2026-11-24T16:00:00Z",
      finishedAt: "2026-11-24T16:00:40Z",
      durationSeconds: 40,
    };
    expect(summaryText(summary)).toBe(
      "1,200 accounts · 3,400 scored · 10 high risk · 10 accounts not scored · 1 of 12 batches failed",
    );
    expect(summaryText(null)).toBe("—");
  });
});

describe("verdictGiven", () => {
  const now = Date.parse("2026-11-24T12:00:00Z");
  it("names who gave the verdict, when the API says", () => {
    expect(verdictGiven({ at: "2026-11-24T11:57:00Z", by: "analyst@bank.example" }, now)).toBe(
      "marked 3 min ago by analyst@bank.example",
    );
    expect(verdictGiven({ at: "2026-11-24T11:57:00Z", by: null }, now)).toBe("marked 3 min ago");
  });
  it("says when a verdict became known, when that was before it was recorded", () => {
    const given = { at: "2026-11-24T11:57:00Z", by: "import", knownAt: "2026-11-20T08:00:00Z" };
    expect(verdictGiven(given, now)).toMatch(/^marked 3 min ago by import, known 2026-11-20 \d\d:00:00$/);
    expect(verdictGiven({ ...given, knownAt: given.at }, now)).toBe("marked 3 min ago by import");
  });
});
