import { VERDICTS, type AuditEntry, type Verdict } from "../api/types";
import { parseTime } from "./format";

/** A verdict recorded within this of becoming known was known when it was given. */
const SAME_TIME_MS = 60_000;

/** One verdict as the audit trail recorded it: who gave it, when, and what they said. */
export interface GivenVerdict {
  at: string;
  by: string;
  verdict: Verdict;
  note?: string;
  /** When the verdict became known, when well before it was recorded (a chargeback imported later). */
  knownAt?: string;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

function knownEarlier(knownAt: string, at: string): boolean {
  return (parseTime(at) ?? 0) - (parseTime(knownAt) ?? 0) > SAME_TIME_MS;
}

/** The verdicts among audit entries, in the trail's order (newest first). */
export function verdictHistory(entries: readonly AuditEntry[]): GivenVerdict[] {
  return entries.flatMap((entry) => {
    const verdict = entry.fields?.verdict;
    if (entry.action !== "verdict" || !VERDICTS.includes(verdict as Verdict)) return [];
    const knownAt = text(entry.fields?.knownAt);
    return [
      {
        at: entry.at,
        by: entry.name || entry.subject,
        verdict: verdict as Verdict,
        note: text(entry.fields?.note),
        knownAt: knownAt && knownEarlier(knownAt, entry.at) ? knownAt : undefined,
      },
    ];
  });
}
