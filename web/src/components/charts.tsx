import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { DailyRiskCounts, RiskLevel, ScoreDistribution, Transaction } from "../api/types";
import { activityPoints, everyDay, type ActivityPoint } from "../lib/chartData";
import { formatCount, formatDateTime, formatMoney, formatScore } from "../lib/format";
import { RISK_COLOURS, UNSCORED_COLOUR } from "../lib/risk";

const AXIS = { fontSize: 11, fill: "#7b8794" };

function ChartEmpty({ text }: { text: string }) {
  return <div className="chart-empty">{text}</div>;
}

/** Scored transactions per day, stacked by risk level. */
export function DailyRiskChart({
  daily,
  since,
  levels = ["MEDIUM", "HIGH"],
}: {
  daily: DailyRiskCounts[];
  since: string;
  levels?: RiskLevel[];
}) {
  if (daily.every((day) => levels.every((level) => !day[level])))
    return <ChartEmpty text="No anomalies in this period" />;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={everyDay(daily, since)} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid stroke="#edf0f3" vertical={false} />
        <XAxis dataKey="date" tick={AXIS} tickFormatter={(d: string) => d.slice(5)} minTickGap={12} />
        <YAxis tick={AXIS} allowDecimals={false} />
        <Tooltip cursor={{ fill: "#f2f4f7" }} />
        <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
        {levels.map((level) => (
          <Bar
            key={level}
            dataKey={level}
            stackId="risk"
            fill={RISK_COLOURS[level]}
            name={level.toLowerCase()}
            maxBarSize={28}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** A score bin's label, its lower edge ("0.7"), and the range it covers for the tooltip. */
const binLabel = (i: number) => (i / 10).toFixed(1);
const binRange = (bin: unknown) => `score ${bin}–${(Number(bin) + 0.1).toFixed(1)}`;

/** Ten score bins from 0 to 1, coloured from calm to alarming. */
/** Scores in ten bins on a log scale, each bar labelled with its count: a few HIGH stay visible beside 10,000 LOW. */
export function ScoreHistogram({ histogram }: { histogram: number[] }) {
  if (histogram.every((count) => !count)) return <ChartEmpty text="Nothing scored yet" />;
  // An empty bin has no bar (a log scale has no zero).
  const data = histogram.map((count, i) => ({ bin: binLabel(i), count: count || null }));
  const colour = (i: number) => (i >= 7 ? RISK_COLOURS.HIGH : i >= 5 ? RISK_COLOURS.MEDIUM : RISK_COLOURS.LOW);
  // Ticks at 1, 10, 100, … up to the tallest bin.
  let top = 1;
  const ticks = [top];
  while (top < Math.max(...histogram)) ticks.push((top *= 10));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 18, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid stroke="#edf0f3" vertical={false} />
        <XAxis dataKey="bin" tick={AXIS} />
        <YAxis
          tick={AXIS}
          scale="log"
          domain={[0.8, top]}
          ticks={ticks}
          allowDataOverflow
          tickFormatter={formatCount}
        />
        <Tooltip cursor={{ fill: "#f2f4f7" }} labelFormatter={binRange} />
        <Bar dataKey="count" name="transactions" maxBarSize={32} isAnimationActive={false}>
          {data.map((_, i) => (
            <Cell key={i} fill={colour(i)} fillOpacity={0.85} />
          ))}
          <LabelList
            dataKey="count"
            position="top"
            style={{ fontSize: 10, fill: "#5b6472" }}
            formatter={(value) => (typeof value === "number" ? formatCount(value) : "")}
          />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Reviewed transactions in the same ten score bins, stacked by verdict: confirmed frauds red, the rest calm. */
export function VerdictScoreChart({ distribution }: { distribution: ScoreDistribution }) {
  const data = distribution.confirmed.map((confirmed, i) => ({
    bin: binLabel(i),
    confirmed,
    notFraud: distribution.notFraud[i] ?? 0,
  }));
  if (data.every((bin) => !bin.confirmed && !bin.notFraud)) return <ChartEmpty text="No verdicts yet" />;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid stroke="#edf0f3" vertical={false} />
        <XAxis dataKey="bin" tick={AXIS} />
        <YAxis tick={AXIS} allowDecimals={false} />
        <Tooltip cursor={{ fill: "#f2f4f7" }} labelFormatter={binRange} />
        <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
        <Bar
          dataKey="confirmed"
          stackId="verdict"
          fill={RISK_COLOURS.HIGH}
          name="confirmed fraud"
          maxBarSize={32}
          isAnimationActive={false}
        />
        <Bar
          dataKey="notFraud"
          stackId="verdict"
          fill={RISK_COLOURS.LOW}
          name="not fraud"
          maxBarSize={32}
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

function ActivityTooltip({ active, payload }: { active?: boolean; payload?: { payload: ActivityPoint }[] }) {
  const point = payload?.[0]?.payload;
  if (!active || !point) return null;
  const t = point.transaction;
  return (
    <div className="panel" style={{ padding: "8px 10px", fontSize: 12 }}>
      <div>{formatDateTime(t.timestamp)}</div>
      <div>
        <strong>{formatMoney(t.amount, t.currency)}</strong> {t.merchant ?? t.transactionType}
      </div>
      <div>
        {t.riskLevel ? `${t.riskLevel} · ${formatScore(t.riskScore)}` : "unscored"} · balance{" "}
        {formatMoney(point.balance, t.currency)}
      </div>
    </div>
  );
}

/** An account's transactions over time: amounts as dots coloured by risk (anomalies larger), balance as a line. */
export function AccountActivityChart({
  transactions,
  balance,
  currency,
}: {
  transactions: Transaction[];
  balance: number;
  currency: string;
}) {
  if (transactions.length === 0) return <ChartEmpty text="No transactions yet" />;
  const points = activityPoints(transactions, balance);
  const shape = (props: { cx?: number; cy?: number; payload?: ActivityPoint }) => {
    const point = props.payload;
    const anomaly = point?.level === "HIGH" || point?.transaction.isAnomaly;
    const fill = point?.level ? RISK_COLOURS[point.level] : UNSCORED_COLOUR;
    return (
      <circle
        cx={props.cx}
        cy={props.cy}
        r={anomaly ? 6 : point?.level === "MEDIUM" ? 4.5 : 3}
        fill={fill}
        fillOpacity={anomaly ? 0.95 : 0.7}
        stroke={anomaly ? "#7d1d16" : "none"}
        strokeWidth={1.5}
      />
    );
  };
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart data={points} margin={{ top: 8, right: 4, bottom: 0, left: 4 }}>
        <CartesianGrid stroke="#edf0f3" />
        <XAxis
          dataKey="time"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          tick={AXIS}
          tickFormatter={(t: number) => formatDateTime(t).slice(5, 16)}
          minTickGap={30}
        />
        <YAxis yAxisId="amount" tick={AXIS} tickFormatter={(v: number) => compact(v)} width={48} />
        <YAxis yAxisId="balance" orientation="right" tick={AXIS} tickFormatter={(v: number) => compact(v)} width={52} />
        <Tooltip content={<ActivityTooltip />} />
        <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
        <Line
          yAxisId="balance"
          dataKey="balance"
          name={`balance (${currency})`}
          stroke="#9fb3c8"
          dot={false}
          strokeWidth={1.5}
          type="stepAfter"
          isAnimationActive={false}
        />
        <Scatter
          yAxisId="amount"
          dataKey="amount"
          name={`amount (${currency})`}
          fill="#4b6a88"
          shape={shape}
          isAnimationActive={false}
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

function compact(value: number): string {
  return new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 1 }).format(value);
}
