/** What the charts draw, shaped from the API's answers. */
import type { DailyRiskCounts, RiskLevel, Transaction } from "../api/types";
import { parseTime } from "./format";

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
