import { useState } from "react";
import { formatDuration } from "../../lib/format";
import { prettyJson, type StateSummary } from "../../lib/history";
import { STATUS_STYLE, type NodeStatus } from "../../lib/nodeStatus";
import { Panel } from "../ui";
import { Cause } from "./FailureCause";

/** The selected state: its status, type, duration, visits, retries, batches and error; its input and output. */
export function StatePanel({
  name,
  summary,
  type,
  status,
  batches,
}: {
  name?: string;
  summary?: StateSummary;
  type?: string;
  status?: NodeStatus;
  batches?: string;
}) {
  const [tab, setTab] = useState<"input" | "output">("input");
  if (!name) {
    return (
      <Panel title="State">
        <div className="hint">Select a state in the graph to see its input, output, timings and errors.</div>
      </Panel>
    );
  }
  const style = STATUS_STYLE[status ?? summary?.status ?? "notReached"];
  const last = summary?.entries[summary.entries.length - 1];
  return (
    <section className="panel" data-testid="state-panel">
      <div className="panel-head">
        <h2>{name}</h2>
        <span className="badge" style={{ background: style.fill, color: style.text, borderColor: style.stroke }}>
          {style.label}
        </span>
      </div>
      <div className="panel-body" style={{ display: "flex", flexDirection: "column", gap: 10 }}>
        <dl className="facts">
          <dt>Type</dt>
          <dd>{type ?? summary?.stateType ?? "—"}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(summary?.durationMs)}</dd>
          {summary && summary.entries.length > 1 && (
            <>
              <dt>Visits</dt>
              <dd>{summary.entries.length} (input and output of the last)</dd>
            </>
          )}
          {summary?.retries ? (
            <>
              <dt>Retries</dt>
              <dd>{summary.retries}</dd>
            </>
          ) : null}
          {batches && (
            <>
              <dt>Batches</dt>
              <dd>{batches}</dd>
            </>
          )}
          {summary?.lastError && (
            <>
              <dt>Error</dt>
              <dd>
                <strong>{summary.lastError.error}</strong>
                {summary.lastError.cause && <Cause cause={summary.lastError.cause} />}
              </dd>
            </>
          )}
        </dl>
        {last ? (
          <>
            <div className="tabs" role="tablist" style={{ padding: 0 }}>
              {(["input", "output"] as const).map((which) => (
                <button
                  key={which}
                  type="button"
                  role="tab"
                  aria-selected={tab === which}
                  className={tab === which ? "active" : undefined}
                  onClick={() => setTab(which)}
                >
                  {which === "input" ? "Input" : "Output"}
                </button>
              ))}
            </div>
            <pre className="json" data-testid={`state-${tab}`}>
              {prettyJson(tab === "input" ? last.input : last.output) ||
                (tab === "output" ? "(no output yet)" : "(none)")}
            </pre>
          </>
        ) : status === "inMapRun" ? (
          <div className="hint">
            This state runs in the Distributed Map's child executions, one per batch; their events are not in this
            execution's history. The Map's batch counts say how they ended.
          </div>
        ) : (
          <div className="hint">This execution did not reach this state.</div>
        )}
      </div>
    </section>
  );
}
