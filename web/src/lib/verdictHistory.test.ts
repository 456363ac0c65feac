import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../api/types";
import { verdictHistory } from "./verdictHistory";

const entry = (patch: Partial<AuditEntry>): AuditEntry => ({
  action: "verdict",
  at: "2026-12-01T10:00:00.000000Z",
  entityId: "txn_1",
  entityType: "transaction",
  subject: "local",
  ...patch,
});

describe("verdictHistory", () => {
  it("keeps the verdicts in the trail's order, with who gave them, their note and when they became known", () => {
    const history = verdictHistory([
      entry({ at: "2026-12-02T09:00:00Z", name: "ana@bank.example", fields: { verdict: "NOT_FRAUD", note: "" } }),
      entry({ action: "changed", fields: { amount: 12 } }),
      entry({
        at: "2026-12-01T10:00:00Z",
        fields: { verdict: "CONFIRMED", note: "card stolen", knownAt: "2026-11-28T08:00:00Z" },
      }),
    ]);
    expect(history).toEqual([
      { at: "2026-12-02T09:00:00Z", by: "ana@bank.example", verdict: "NOT_FRAUD", note: undefined, knownAt: undefined },
      {
        at: "2026-12-01T10:00:00Z",
        by: "local",
        verdict: "CONFIRMED",
        note: "card stolen",
        knownAt: "2026-11-28T08:00:00Z",
      },
    ]);
  });

  it("says nothing of when it became known when that is when it was given, and skips malformed entries", () => {
    const given = entry({
      at: "2026-12-01T10:00:00.123456Z",
      fields: { verdict: "CONFIRMED", knownAt: "2026-12-01T10:00:00.120Z" },
    });
    expect(verdictHistory([given])[0]?.knownAt).toBeUndefined();
    expect(verdictHistory([entry({ fields: { verdict: "MAYBE" } }), entry({})])).toEqual([]);
  });
});
