/** What the charts draw, shaped from the API's answers. */
import type { DailyRiskCounts, RiskLevel, Transaction } from "../api/types";
import { formatMoney, parseTime } from "./format";

/** Every UTC day from `since` to `until`, with the API's counts where it has them and zeros elsewhere. */
export function everyDay(daily: DailyRiskCounts[], since: string, until: number = Date.now()): DailyRiskCounts[] {
  const byDate = new Map(daily.map((day) => [day.date, day]));
  const days: DailyRiskCounts[] = [];
  const start = parseTime(`${since.slice(0, 10)}T00:00:00Z`);
  if (start === undefined) return daily;
  for (let t = start; t <= until; t += 24 * 60 * 60 * 1000) {
    const date = new Date(t).toISOString().slice(0, 10);
    days.push(byDate.get(date) ?? { date, LOW: 0, MEDIUM: 0, HIGH: 0 });
  }
  return days;
}

export interface ActivityPoint {
  time: number;
  amount: number;
  balance?: number;
  /** Where the dot is drawn: the amount, or the top of the axis for an amount pinned there. */
  plotted?: number;
  pinned?: boolean;
  /** A pinned amount's label: 0 just above the top edge, 1 above that, when the label beside it is too close. */
  labelRow?: 0 | 1;
  level?: RiskLevel | null;
  score?: number | null;
  transaction: Transaction;
}

/**
 * The transactions in time order, each with the balance after it. `transactions` are the account's newest (the
 * API lists them newest first, without gaps) and `balance` is the account's balance now, so walking back from
 * the newest gives every balance exactly, whatever order the transactions were written in.
 */
export function activityPoints(transactions: Transaction[], balance: number): ActivityPoint[] {
  const points: ActivityPoint[] = transactions
    .map((t) => ({
      time: parseTime(t.timestamp) ?? 0,
      amount: Number(t.amount),
      level: t.riskLevel,
      score: t.riskScore,
      transaction: t,
    }))
    .sort((a, b) => a.time - b.time || a.transaction.transactionId.localeCompare(b.transaction.transactionId));
  let after = Number(balance);
  for (const point of [...points].reverse()) {
    point.balance = after;
    after -= point.transaction.transactionType === "DEPOSIT" ? point.amount : -point.amount;
  }
  return points;
}

/** Ordinary amounts get the chart's height; an amount over this many times the median is drawn at its top edge. */
export const PIN_FACTOR = 10;

export interface AmountAxis {
  /** The top of the amount axis: a round number a little above the tallest ordinary amount. */
  top: number;
  ticks: number[];
  /** Amounts above `top` are drawn pinned at it, with their true value beside them. */
  pinned: number;
}

/**
 * One amount axis that one large amount cannot flatten. An amount more than PIN_FACTOR times the median
 * is pinned at the top edge; the axis runs from zero to the tallest of the rest, so the everyday amounts
 * keep the height. With fewer than four amounts there is no ordinary to speak of and nothing is pinned.
 */
export function amountAxis(amounts: number[]): AmountAxis {
  const sorted = amounts.filter((a) => Number.isFinite(a)).sort((a, b) => a - b);
  const largest = sorted[sorted.length - 1] ?? 0;
  const limit = sorted.length >= 4 ? median(sorted) * PIN_FACTOR : Infinity;
  const ordinary = sorted.filter((a) => a <= limit);
  const { top, ticks } = niceAxis(ordinary[ordinary.length - 1] ?? largest);
  return { top, ticks, pinned: sorted.filter((a) => a > top).length };
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Zero to a round number above `max`, in three to six steps of 1, 2, 2.5 or 5 times a power of ten. */
export function niceAxis(max: number): { top: number; ticks: number[] } {
  if (!(max > 0)) return { top: 1, ticks: [0, 1] };
  const rough = (max * 1.05) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const count = Math.ceil((max * 1.05) / step);
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { top: ticks[ticks.length - 1] as number, ticks };
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** The time axis's span: the transactions' first to last, with a little room either side so no dot sits on an edge. */
export function timeDomain(times: number[]): [number, number] {
  if (times.length === 0) return [0, 1];
  const first = Math.min(...times);
  const last = Math.max(...times);
  const room = last > first ? (last - first) * 0.03 : 12 * HOUR;
  return [first - room, last + room];
}

/** Steps a time axis may take, smallest first; each aligned to the local clock and calendar. */
const TIME_STEPS: { hours?: number; days?: number; months?: number }[] = [
  { hours: 1 },
  { hours: 3 },
  { hours: 6 },
  { hours: 12 },
  { days: 1 },
  { days: 2 },
  { days: 7 },
  { days: 14 },
  { months: 1 },
  { months: 3 },
  { months: 6 },
  { months: 12 },
];

/**
 * Round times inside [start, end] for the axis's ticks: on the hour, at midnight, on Mondays or on the first of
 * the month (local time), at the smallest step that gives no more than `most` ticks.
 */
export function timeTicks(start: number, end: number, most = 8): number[] {
  for (const step of TIME_STEPS) {
    const ticks = ticksEvery(step, start, end, most + 1);
    if (ticks.length <= most) return ticks;
  }
  return [start, end];
}

function ticksEvery(step: (typeof TIME_STEPS)[number], start: number, end: number, cap: number): number[] {
  const at = new Date(start);
  at.setMinutes(0, 0, 0);
  if (step.hours) at.setHours(Math.floor(at.getHours() / step.hours) * step.hours);
  else at.setHours(0);
  if (step.days === 7 || step.days === 14) at.setDate(at.getDate() - ((at.getDay() + 6) % 7));
  if (step.months) {
    at.setDate(1);
    at.setMonth(Math.floor(at.getMonth() / step.months) * step.months);
  }
  const ticks: number[] = [];
  while (at.getTime() <= end && ticks.length < cap) {
    if (at.getTime() >= start) ticks.push(at.getTime());
    if (step.hours) at.setHours(at.getHours() + step.hours);
    else if (step.days) at.setDate(at.getDate() + step.days);
    else at.setMonth(at.getMonth() + (step.months ?? 1));
  }
  return ticks;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "6 Nov", or "6 Nov 2026" with the year. */
export function dayLabel(time: number, withYear = false): string {
  const date = new Date(time);
  return `${date.getDate()} ${MONTHS[date.getMonth()]}${withYear ? ` ${date.getFullYear()}` : ""}`;
}

/** A tick's label: "6 Nov", "6 Nov 14:00" when the ticks fall within days, "Nov 2026" when they are months apart. */
export function timeTickLabel(time: number, ticks: number[]): string {
  const date = new Date(time);
  const step =
    ticks.length > 1 ? ((ticks[ticks.length - 1] as number) - (ticks[0] as number)) / (ticks.length - 1) : DAY;
  if (step >= 28 * DAY) return `${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
  const day = dayLabel(time);
  if (step >= DAY) return day;
  return `${day} ${String(date.getHours()).padStart(2, "0")}:00`;
}

export interface ActivityView {
  points: ActivityPoint[];
  axis: AmountAxis;
  domain: [number, number];
  ticks: number[];
  /** What the chart shows, in a sentence, for screen readers. */
  summary: string;
}

/** Everything the account's activity chart draws: the points, the one amount axis, the time axis and a summary. */
export function activityView(transactions: Transaction[], balance: number, currency: string): ActivityView {
  const points = activityPoints(transactions, balance);
  const axis = amountAxis(points.map((p) => p.amount));
  for (const point of points) {
    point.pinned = point.amount > axis.top;
    point.plotted = Math.min(point.amount, axis.top);
  }
  const domain = timeDomain(points.map((p) => p.time));
  const ticks = timeTicks(...domain);
  stackPinLabels(
    points.filter((p) => p.pinned),
    domain,
  );
  const money = (amount: number | undefined) => formatMoney(amount, currency);
  const first = points[0];
  const last = points[points.length - 1];
  const pinned = points.filter((p) => p.pinned);
  const summary = [
    `${points.length} transaction amounts by time`,
    first && last ? `from ${dayLabel(first.time, true)} to ${dayLabel(last.time, true)}` : "",
    `on one axis up to ${money(axis.top)}`,
    pinned.length
      ? `; ${pinned.length} above it drawn at the top edge: ${pinned.map((p) => money(p.amount)).join(", ")}`
      : "",
    first && last ? `; balance from ${money(first.balance)} to ${money(last.balance)}` : "",
  ]
    .filter(Boolean)
    .join(" ")
    .replace(/ ;/g, ";");
  return { points, axis, domain, ticks, summary };
}

/** A pinned amount's label takes about this share of the time axis ("£250,000.00" on a laptop-wide chart). */
export const PIN_LABEL_SHARE = 0.08;

/** Pinned labels closer in time than a label's width take turns on two rows, so neighbours do not overprint. */
export function stackPinLabels(pinned: ActivityPoint[], domain: [number, number]): void {
  const room = (domain[1] - domain[0]) * PIN_LABEL_SHARE;
  const lastOnRow = [-Infinity, -Infinity];
  for (const point of pinned) {
    const row =
      point.time - (lastOnRow[0] as number) >= room ? 0 : point.time - (lastOnRow[1] as number) >= room ? 1 : 0;
    point.labelRow = row;
    lastOnRow[row] = point.time;
  }
}
