import { Link, createFileRoute } from "@tanstack/react-router";
import { useState } from "react";
import { useActivity, useAnomalies, useAnomalyStats } from "../api/queries";
import type { Transaction } from "../api/types";
import { DailyRiskChart, ScoreHistogram } from "../components/charts";
import { RunDetectionButton } from "../components/runs/RunDetectionButton";
import { TransactionsTable } from "../components/tables";
import { ErrorState, Loading, Panel, QueryView, Stat, StatusBadge } from "../components/ui";
import { formatAge, formatCount, formatSeconds, summaryText } from "../lib/format";

export const Route = createFileRoute("/")({ component: Overview });

const DAY_MS = 24 * 60 * 60 * 1000;

function Overview() {
  // The day before the page opened, to the minute: the query key (and cache) holds still between renders.
  const [since] = useState(() =>
    new Date(Math.floor((Date.now() - DAY_MS) / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
  );
  const stats = useAnomalyStats();
  const activity = useActivity(since);
  const anomalies = useAnomalies({ minLevel: "MEDIUM", limit: 8 });
  const counts = activity.data;
  const count = (value: number | undefined) => (activity.isError || value === undefined ? "—" : formatCount(value));
  const open = counts ? (counts.open.HIGH ?? 0) + (counts.open.MEDIUM ?? 0) : undefined;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <div className="sub">The last 24 hours, and scores over the last 30 days</div>
        </div>
        <RunDetectionButton />
      </div>

      <div className="stats" data-testid="overview-stats">
        <Stat
          label="Transactions, 24 h"
          value={count(counts?.transactions)}
          hint={activity.isPending ? "loading…" : "dated in the last day"}
        />
        <Stat
          label="Active accounts, 24 h"
          value={count(counts?.activeAccounts)}
          hint="with a transaction in the last day"
        />
        <Stat
          label="Anomalies, 24 h"
          tone={counts?.anomalies.HIGH ? "high" : undefined}
          value={count(counts ? (counts.anomalies.HIGH ?? 0) + (counts.anomalies.MEDIUM ?? 0) : undefined)}
          hint={counts ? `${counts.anomalies.HIGH ?? 0} high, ${counts.anomalies.MEDIUM ?? 0} medium` : undefined}
        />
        <Stat
          label="Open anomalies, 24 h"
          tone={counts?.open.HIGH ? "high" : undefined}
          value={count(open)}
          hint={
            counts ? (
              <Link to="/anomalies" search={{ status: "open" }}>
                {counts.open.HIGH ?? 0} high, {counts.open.MEDIUM ?? 0} medium without a verdict
              </Link>
            ) : undefined
          }
        />
        <Stat
          label="Accounts waiting to be scored"
          value={count(counts?.staleAccounts)}
          hint="stale since their last change"
        />
      </div>

      <div className="grid three">
        <Panel title="Anomalies per day by risk level">
          <div style={{ height: 240 }}>
            <QueryView query={stats}>{(data) => <DailyRiskChart daily={data.daily} since={data.since} />}</QueryView>
          </div>
        </Panel>
        <LastRun />
      </div>

      <div className="grid two">
        <Panel title="Risk distribution">
          <QueryView query={stats}>
            {(data) => (
              <div style={{ display: "flex", flexDirection: "column", gap: 10 }}>
                <div className="actions">
                  {(["HIGH", "MEDIUM", "LOW"] as const).map((level) => (
                    <span key={level} className={`badge risk-${level}`}>
                      {level} <span className="score">{formatCount(data.counts[level] ?? 0)}</span>
                    </span>
                  ))}
                  <span className="hint">scored since {data.since.slice(0, 10)}</span>
                </div>
                <div style={{ height: 180 }}>
                  <ScoreHistogram histogram={data.histogram} />
                </div>
              </div>
            )}
          </QueryView>
        </Panel>
        <Panel title="Latest anomalies" actions={<Link to="/anomalies">All anomalies →</Link>} flush>
          <QueryView
            query={anomalies}
            isEmpty={(d) => d.items.length === 0}
            empty={<div className="state">No medium or high risk transactions yet.</div>}
          >
            {(data) => <TransactionsTable items={data.items.slice(0, 8) as Transaction[]} compact />}
          </QueryView>
        </Panel>
      </div>
    </div>
  );
}

function LastRun() {
  const stats = useAnomalyStats();
  return (
    <Panel title="Last detection run" actions={<Link to="/runs">All runs →</Link>}>
      {stats.isPending ? (
        <Loading rows={3} />
      ) : stats.isError && !stats.data ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : stats.data?.lastRun ? (
        <dl className="facts" data-testid="last-run">
          <dt>Run</dt>
          <dd className="mono">
            <Link to="/runs/$executionId" params={{ executionId: stats.data.lastRun.executionId }}>
              {stats.data.lastRun.executionId}
            </Link>
          </dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={stats.data.lastRun.status} />
          </dd>
          <dt>Started</dt>
          <dd>{formatAge(stats.data.lastRun.startedAt)}</dd>
          <dt>Duration</dt>
          <dd>{formatSeconds(stats.data.lastRun.durationSeconds)}</dd>
          <dt>Result</dt>
          <dd>{summaryText(stats.data.lastRun.summary)}</dd>
        </dl>
      ) : (
        <div className="state">No run yet. Runs start on a schedule, or now with the button above.</div>
      )}
    </Panel>
  );
}
