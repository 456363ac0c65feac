import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { DailyRiskCounts, RiskLevel, ScoreDistribution, Transaction } from "../api/types";
import { activityView, everyDay, timeTickLabel, type ActivityPoint } from "../lib/chartData";
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

/** The amount axis's width; the balance strip below leaves the same room so the two share their time positions. */
const AMOUNT_AXIS_WIDTH = 56;
/** The balance strip's height, in pixels. */
const BALANCE_STRIP = 44;
const ACTIVITY_MARGIN = { top: 34, right: 16, bottom: 0, left: 4 };

/** A transaction's dot, coloured by risk (anomalies larger); a pinned one is a triangle at the top edge with its amount. */
function ActivityDot(props: { cx?: number; cy?: number; payload?: ActivityPoint; currency: string }) {
  const point = props.payload;
  if (!point || props.cx === undefined || props.cy === undefined) return null;
  const { cx, cy } = props;
  const anomaly = point.level === "HIGH" || point.transaction.isAnomaly;
  const fill = point.level ? RISK_COLOURS[point.level] : UNSCORED_COLOUR;
  const attributes = {
    className: `activity-dot${point.pinned ? " pinned" : ""}`,
    "data-time": point.time,
    "data-amount": point.amount,
  };
  if (point.pinned) {
    return (
      <g {...attributes}>
        <path
          d={`M${cx},${cy - 6} L${cx + 6},${cy + 4} L${cx - 6},${cy + 4} Z`}
          fill={fill}
          stroke={anomaly ? "#7d1d16" : "#52606d"}
          strokeWidth={1.2}
        />
        <text x={cx} y={cy - 9 - 12 * (point.labelRow ?? 0)} textAnchor="middle" className="activity-pin-label">
          {formatMoney(point.amount, props.currency)}
        </text>
      </g>
    );
  }
  return (
    <g {...attributes}>
      <circle
        cx={cx}
        cy={cy}
        r={anomaly ? 6 : point.level === "MEDIUM" ? 4.5 : 3}
        fill={fill}
        fillOpacity={anomaly ? 0.95 : 0.7}
        stroke={anomaly ? "#7d1d16" : "none"}
        strokeWidth={1.5}
      />
    </g>
  );
}

/** The balance at the strip's two ends, on the side of the line away from the strip's edge. */
function BalanceLabel(props: {
  x?: unknown;
  y?: unknown;
  index?: number;
  value?: unknown;
  last: number;
  currency: string;
}) {
  const { index, last } = props;
  const x = Number(props.x);
  const y = Number(props.y);
  if (Number.isNaN(x) || Number.isNaN(y) || (index !== 0 && index !== last)) return null;
  return (
    <text
      x={x + (index === 0 ? 4 : -4)}
      y={y < BALANCE_STRIP / 2 ? y + 12 : y - 4}
      textAnchor={index === 0 ? "start" : "end"}
      className="activity-balance-label"
    >
      {formatMoney(Number(props.value), props.currency)}
    </text>
  );
}

/** A time tick that carries its time, so what it labels can be checked against where it sits. */
function TimeTick(props: { x?: number; y?: number; payload?: { value: number }; ticks: number[] }) {
  const time = props.payload?.value;
  if (time === undefined) return null;
  return (
    <text x={props.x} y={(props.y ?? 0) + 12} textAnchor="middle" {...AXIS} className="time-tick" data-time={time}>
      {timeTickLabel(time, props.ticks)}
    </text>
  );
}

/**
 * An account's transactions over time: amounts on one axis, as dots coloured by risk, placed by when they
 * happened. An amount far above the account's usual ones is pinned at the top edge with its value, so it
 * cannot flatten the rest. The balance runs in its own thin strip below, on the same time axis: a second
 * quantity gets no second axis.
 */
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
  const view = activityView(transactions, balance, currency);
  const { points, axis, domain, ticks } = view;
  const last = points.length - 1;
  return (
    <figure className="activity-chart" aria-label={view.summary} data-testid="activity-chart">
      <div className="activity-amounts">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points} margin={ACTIVITY_MARGIN} title={view.summary}>
            <CartesianGrid stroke="#edf0f3" />
            <XAxis
              dataKey="time"
              type="number"
              domain={domain}
              ticks={ticks}
              tick={<TimeTick ticks={ticks} />}
              minTickGap={24}
            />
            <YAxis
              dataKey="plotted"
              type="number"
              domain={[0, axis.top]}
              ticks={axis.ticks}
              tick={AXIS}
              tickFormatter={(v: number) => compact(v)}
              width={AMOUNT_AXIS_WIDTH}
              label={{ value: currency, position: "top", offset: 22, style: { ...AXIS, fontSize: 10 } }}
            />
            {axis.pinned > 0 && <ReferenceLine y={axis.top} stroke="#c3cad3" strokeDasharray="4 3" />}
            <Tooltip content={<ActivityTooltip />} shared={false} cursor={false} />
            <Scatter
              dataKey="plotted"
              name={`amount (${currency})`}
              shape={(props: object) => <ActivityDot {...props} currency={currency} />}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className="activity-balance" style={{ height: BALANCE_STRIP }} data-testid="balance-strip">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={points}
            margin={{ top: 6, right: ACTIVITY_MARGIN.right, bottom: 6, left: ACTIVITY_MARGIN.left + AMOUNT_AXIS_WIDTH }}
          >
            <XAxis dataKey="time" type="number" domain={domain} hide />
            <YAxis type="number" domain={["dataMin", "dataMax"]} hide />
            <Tooltip content={<ActivityTooltip />} cursor={{ stroke: "#c3cad3" }} />
            <Line
              dataKey="balance"
              name={`balance (${currency})`}
              stroke="#9fb3c8"
              dot={false}
              strokeWidth={1.5}
              type="stepAfter"
              isAnimationActive={false}
            >
              <LabelList
                dataKey="balance"
                content={(props) => <BalanceLabel {...props} last={last} currency={currency} />}
              />
            </Line>
          </LineChart>
        </ResponsiveContainer>
        <span className="activity-balance-name">balance</span>
      </div>
    </figure>
  );
}

function compact(value: number): string {
  return new Intl.NumberFormat("en-GB", { notation: "compact", maximumFractionDigits: 1 }).format(value);
}
