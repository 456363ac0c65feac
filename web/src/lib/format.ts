/** Formatting shared by every page: money, scores, times and durations, a run's summary. */
import type { RunSummary, Verdict } from "../api/types";

const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number | null | undefined, currency = "EUR"): string {
  if (amount === null || amount === undefined || Number.isNaN(Number(amount))) return "—";
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat("en-GB", { style: "currency", currency, minimumFractionDigits: 2 });
    } catch {
      format = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(currency, format);
  }
  return format.format(Number(amount));
}

export function formatScore(score: number | null | undefined): string {
  if (score === null || score === undefined) return "—";
  return Number(score).toFixed(2);
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat("en-GB").format(value);
}

/**
 * Parses the timestamps the API and Step Functions return: ISO 8601 ("2026-11-24T15:57:11Z"), Python's
 * str(datetime) ("2026-11-24 16:05:14.996000+00:00") or epoch seconds.
 */
export function parseTime(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  const normalised = value
    .trim()
    .replace(" ", "T")
    .replace(/(\.\d{3})\d+/, "$1");
  const millis = Date.parse(normalised);
  return Number.isNaN(millis) ? undefined : millis;
}

export function formatDateTime(value: string | number | null | undefined): string {
  const millis = parseTime(value);
  if (millis === undefined) return "—";
  const date = new Date(millis);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`;
}

export function formatDuration(millis: number | null | undefined): string {
  if (millis === null || millis === undefined || Number.isNaN(millis)) return "—";
  if (millis < 1000) return `${Math.round(millis)} ms`;
  const seconds = millis / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A duration the API gives in whole seconds: 0 means it took under a second. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  return seconds < 1 ? "< 1 s" : formatDuration(seconds * 1000);
}

/** "3 min ago", "in 2 h": how far `value` is from `now`. */
export function formatAge(value: string | number | null | undefined, now: number = Date.now()): string {
  const millis = parseTime(value);
  if (millis === undefined) return "—";
  const seconds = Math.round((now - millis) / 1000);
  const magnitude = Math.abs(seconds);
  const text =
    magnitude < 60
      ? `${magnitude} s`
      : magnitude < 3600
        ? `${Math.floor(magnitude / 60)} min`
        : magnitude < 86400
          ? `${Math.floor(magnitude / 3600)} h`
          : `${Math.floor(magnitude / 86400)} d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** "PURCHASE" -> "Purchase", "CARD_PRESENT" -> "Card present". */
export function humanise(value: string | null | undefined): string {
  if (!value) return "—";
  const text = value.replace(/_/g, " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How a run started: "Schedule", "API", "CLI". */
export function triggerLabel(trigger: string | null | undefined): string {
  if (trigger === "api" || trigger === "cli") return trigger.toUpperCase();
  return humanise(trigger);
}

/** "120 accounts · 340 scored · 3 anomalies", from a run's summary. */
export function summaryText(summary: RunSummary | null | undefined): string {
  if (!summary) return "—";
  const parts = [`${formatCount(summary.accounts)} accounts`, `${formatCount(summary.transactionsScored)} scored`];
  if (summary.anomalies !== undefined) parts.push(`${formatCount(summary.anomalies)} high risk`);
  if (summary.accountsFailed) parts.push(`${formatCount(summary.accountsFailed)} accounts not scored`);
  if (summary.failedBatches) parts.push(`${summary.failedBatches} of ${summary.batches} batches failed`);
  return parts.join(" · ");
}

/** Short form of a long id for dense tables; the full id stays in the title. */
export function shortId(id: string, keep = 10): string {
  const [prefix, rest] = id.includes("_")
    ? [id.slice(0, id.indexOf("_") + 1), id.slice(id.indexOf("_") + 1)]
    : ["", id];
  return rest.length > keep ? `${prefix}${rest.slice(0, keep)}…` : id;
}

/** When a verdict was given, and by whom when the API says (older verdicts name no one). */
/** Who gave a verdict and when; a verdict learnt earlier than it was recorded (a chargeback) says when. */
export function verdictGiven(
  feedback: { at: string; by?: string | null; knownAt?: string | null },
  now: number = Date.now(),
): string {
  const known =
    feedback.knownAt && feedback.knownAt !== feedback.at ? `, known ${formatDateTime(feedback.knownAt)}` : "";
  return `marked ${formatAge(feedback.at, now)}${feedback.by ? ` by ${feedback.by}` : ""}${known}`;
}

export const VERDICT_LABELS: Record<Verdict, string> = { CONFIRMED: "Confirmed fraud", NOT_FRAUD: "Not fraud" };
