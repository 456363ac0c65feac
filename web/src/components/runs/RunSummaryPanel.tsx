import { Link } from "@tanstack/react-router";
import { Fragment } from "react";
import type { Execution, MapRun } from "../../api/types";
import { formatCount, humanise, summaryText } from "../../lib/format";
import { prettyJson } from "../../lib/history";
import { Panel } from "../ui";

/** What the run recorded (accounts, risk levels, batches, failures), its map runs, its input and output. */
export function RunSummaryPanel({ execution }: { execution: Execution }) {
  return (
    <Panel title="Summary">
      <SummaryFacts execution={execution} />
      <details style={{ marginTop: 10 }}>
        <summary className="hint">Execution input</summary>
        <pre className="json">{prettyJson(execution.input) || "(none)"}</pre>
      </details>
      {execution.output !== undefined && execution.output !== null && (
        <details>
          <summary className="hint">Execution output</summary>
          <pre className="json">{prettyJson(execution.output)}</pre>
        </details>
      )}
    </Panel>
  );
}

/** The summary the run recorded (or its output, when it recorded that), then its map runs. */
function SummaryFacts({ execution }: { execution: Execution }) {
  const summary =
    execution.summary ??
    (typeof execution.output === "object" ? (execution.output as Execution["summary"]) : undefined);
  const mapRuns = execution.mapRuns ?? [];
  if (!summary && mapRuns.length === 0) {
    return (
      <div className="hint">
        {execution.status === "RUNNING"
          ? "The summary appears when the run records it."
          : "This run recorded no summary."}
      </div>
    );
  }
  return (
    <dl className="facts" data-testid="run-summary">
      {summary && (
        <>
          <dt>Result</dt>
          <dd>{summaryText(summary)}</dd>
          <dt>Accounts</dt>
          <dd>
            {formatCount(summary.accounts)} stale · {formatCount(summary.accountsScored)} scored ·{" "}
            {formatCount(summary.accountsCleared)} cleared
            {summary.accountsStillStale ? ` · ${formatCount(summary.accountsStillStale)} still stale` : ""}
            {summary.accountsFailed ? ` · ${formatCount(summary.accountsFailed)} could not be scored` : ""}
          </dd>
          {summary.accountFailures?.length ? (
            <>
              <dt>Accounts not scored</dt>
              <dd>
                <ul className="reasons">
                  {summary.accountFailures.map((f) => (
                    <li key={f.accountId}>
                      <Link to="/accounts/$accountId" params={{ accountId: f.accountId }}>
                        {f.accountId}
                      </Link>
                      : {f.error} {f.message}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          <dt>Risk levels</dt>
          <dd>
            {(["HIGH", "MEDIUM", "LOW"] as const).map((level) => (
              <span key={level} className={`badge risk-${level}`} style={{ marginRight: 4 }}>
                {level} <span className="score">{formatCount(summary.riskLevels?.[level] ?? 0)}</span>
              </span>
            ))}
          </dd>
          {summary.populationVersion && (
            <>
              <dt>Population model</dt>
              <dd className="mono">
                {summary.populationVersion === "shipped" ? "shipped cold-start model" : summary.populationVersion}
              </dd>
            </>
          )}
          <dt>Learnt from verdicts</dt>
          <dd className="mono">
            {!summary.verdictModelVersion || summary.verdictModelVersion === "none"
              ? "no layer yet: the base score stands alone"
              : summary.verdictModelVersion}
          </dd>
          <dt>Batches</dt>
          <dd>
            {formatCount(summary.batches)}
            {summary.failedBatches ? `, ${summary.failedBatches} failed` : ""}
          </dd>
          {summary.failures?.length ? (
            <>
              <dt>Failures</dt>
              <dd>
                <ul className="reasons">
                  {summary.failures.map((f) => (
                    <li key={f.batch}>
                      batch {f.batch}: {f.error} {f.message}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
        </>
      )}
      <MapRunFacts mapRuns={mapRuns} />
    </dl>
  );
}

/** Each Distributed Map run: its status and how many of its batches succeeded and failed. */
function MapRunFacts({ mapRuns }: { mapRuns: MapRun[] }) {
  return (
    <>
      {mapRuns.map((run) => (
        <Fragment key={run.mapRunArn}>
          <dt>Map run</dt>
          <dd>
            {humanise(run.status)}
            {run.itemCounts && typeof run.itemCounts.total === "number"
              ? ` · ${run.itemCounts.succeeded ?? 0} of ${run.itemCounts.total} batches succeeded`
              : ""}
            {run.itemCounts?.failed ? `, ${run.itemCounts.failed} failed` : ""}
          </dd>
        </Fragment>
      ))}
    </>
  );
}
