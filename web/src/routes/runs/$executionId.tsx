import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/hooks";
import { Fragment, useMemo, useState } from "react";
import { useExecution, useRerunExecution } from "../../api/queries";
import type { Execution } from "../../api/types";
import { useServices } from "../../app";
import { summaryText } from "../../components/runs";
import {
  GraphLegend,
  STATUS_STYLE,
  StateMachineGraph,
  batchNote,
  nodeStatus,
  type NodeStatus,
} from "../../components/StateMachineGraph";
import { EmptyState, Panel, QueryView, StatusBadge, describeError } from "../../components/ui";
import { executionConsoleUrl } from "../../config";
import { allStates, layoutStateMachine, parseDefinition } from "../../lib/asl";
import {
  formatAge,
  formatCount,
  formatDateTime,
  formatDuration,
  formatSeconds,
  humanise,
  parseTime,
  triggerLabel,
} from "../../lib/format";
import { prettyJson, traceExecution, type ExecutionTrace, type StateSummary } from "../../lib/history";
import { canRerun } from "../../lib/risk";

export const Route = createFileRoute("/runs/$executionId")({ component: RunPage });

/** How long a redriven run is followed even while it still reads as failed. */
const FOLLOW_REDRIVE_MS = 30_000;

function RunPage() {
  const { executionId } = Route.useParams();
  const [followUntil, setFollowUntil] = useState(0);
  const query = useExecution(executionId, followUntil);
  return (
    <div className="page">
      <QueryView query={query} loadingRows={10}>
        {(execution) => <RunView execution={execution} onRedriven={() => setFollowUntil(Date.now() + FOLLOW_REDRIVE_MS)} />}
      </QueryView>
    </div>
  );
}

function RunView({ execution, onRedriven }: { execution: Execution; onRedriven: () => void }) {
  const { config } = useServices();
  const navigate = useNavigate();
  const rerun = useRerunExecution();
  const [selected, setSelected] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const machine = useMemo(() => parseDefinition(execution.definition), [execution.definition]);
  const graph = useMemo(() => (machine ? layoutStateMachine(machine) : undefined), [machine]);
  const trace = useMemo(() => traceExecution(execution.events, execution.status), [execution.events, execution.status]);
  const consoleUrl = executionConsoleUrl(config, execution.executionArn);
  const selectedNode = graph?.nodes.find((node) => node.id === selected);
  const stoppedAt = parseTime(execution.stoppedAt);

  const onRerun = () =>
    rerun.mutate(execution.executionId, {
      onSuccess: (started) => {
        if (started.executionId === execution.executionId) {
          onRedriven();
          setNotice("Redriven from the failed state; this page follows it.");
        } else {
          void navigate({ to: "/runs/$executionId", params: { executionId: started.executionId } });
        }
      },
    });

  return (
    <>
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/runs">Runs</Link> /
          </div>
          <h1 className="actions">
            <span className="mono" style={{ fontSize: 17 }}>
              {execution.executionId}
            </span>
            <StatusBadge status={execution.status} testId="run-status" />
          </h1>
          <div className="sub">
            Started {formatDateTime(execution.startedAt)} ({formatAge(execution.startedAt)})
            {stoppedAt ? ` · took ${formatSeconds(execution.durationSeconds)}` : ` · running for ${formatSeconds(execution.durationSeconds)}`}
            {execution.trigger ? ` · ${triggerLabel(execution.trigger)}` : ""}
            {execution.redriveCount ? ` · redriven ${execution.redriveCount}×` : ""}
            {execution.rerunOf && (
              <>
                {" · reruns "}
                <Link to="/runs/$executionId" params={{ executionId: execution.rerunOf }} className="mono">
                  {execution.rerunOf}
                </Link>
              </>
            )}
          </div>
        </div>
        <div className="actions">
          {consoleUrl && (
            <a className="button" href={consoleUrl} target="_blank" rel="noreferrer">
              Open in Step Functions console ↗
            </a>
          )}
          {canRerun(execution.status) && (
            <AdminOnly>
              <button type="button" className="primary" onClick={onRerun} disabled={rerun.isPending}>
                {rerun.isPending ? "Starting rerun…" : "Rerun"}
              </button>
            </AdminOnly>
          )}
        </div>
      </div>

      {notice && <div className="banner info" role="status">{notice}</div>}
      {rerun.isError && (
        <div className="banner bad" role="alert">
          Rerun refused: {describeError(rerun.error).detail}
        </div>
      )}
      {(execution.error || execution.cause || execution.status === "FAILED") && (
        <div className="banner bad" role="alert" data-testid="failure">
          <div style={{ minWidth: 0 }}>
            <strong>{execution.error ?? "Failed"}</strong>
            {trace.failure?.stateName && trace.failure.stateName !== execution.error ? ` in ${trace.failure.stateName}` : ""}
            {execution.cause && <pre className="cause">{execution.cause}</pre>}
          </div>
        </div>
      )}

      <div className="run-layout">
        <Panel title="State machine" actions={<GraphLegend graph={graph} />} flush>
          <div className="graph-wrap">
            {graph ? (
              <StateMachineGraph
                graph={graph}
                trace={trace}
                executionStatus={execution.status}
                mapRuns={execution.mapRuns}
                selected={selected}
                onSelect={setSelected}
              />
            ) : (
              <EmptyState title="No definition to draw" />
            )}
          </div>
        </Panel>
        <div style={{ display: "flex", flexDirection: "column", gap: 16 }}>
          <StatePanel
            name={selected}
            summary={selected ? trace.states.get(selected) : undefined}
            type={selected && machine ? allStates(machine).get(selected)?.Type : undefined}
            status={selectedNode && graph ? nodeStatus(selectedNode, trace, execution.status, graph) : undefined}
            batches={selected ? batchNote(selected, trace, execution.mapRuns) : undefined}
          />
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
        </div>
      </div>

      <Panel
        title={selected ? `Events of ${selected}` : `Events (${execution.events.length})`}
        actions={selected && <button type="button" className="small" onClick={() => setSelected(undefined)}>Show all</button>}
        flush
      >
        <EventsTable trace={trace} stateName={selected} />
      </Panel>
    </>
  );
}

function SummaryFacts({ execution }: { execution: Execution }) {
  const summary = execution.summary ?? (typeof execution.output === "object" ? (execution.output as Execution["summary"]) : undefined);
  const mapRuns = execution.mapRuns ?? [];
  if (!summary && mapRuns.length === 0) {
    return <div className="hint">{execution.status === "RUNNING" ? "The summary appears when the run records it." : "This run recorded no summary."}</div>;
  }
  return (
    <dl className="facts" data-testid="run-summary">
      {summary && (
        <>
          <dt>Result</dt>
          <dd>{summaryText(summary)}</dd>
          <dt>Accounts</dt>
          <dd>
            {formatCount(summary.accounts)} stale · {formatCount(summary.accountsScored)} scored · {formatCount(summary.accountsCleared)} cleared
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
              <dd className="mono">{summary.populationVersion === "shipped" ? "shipped cold-start model" : summary.populationVersion}</dd>
            </>
          )}
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
      {mapRuns.map((run) => (
        <Fragment key={run.mapRunArn}>
          <dt>Map run</dt>
          <dd>
            {humanise(run.status)}
            {run.itemCounts && typeof run.itemCounts.total === "number" ? ` · ${run.itemCounts.succeeded ?? 0} of ${run.itemCounts.total} batches succeeded` : ""}
            {run.itemCounts?.failed ? `, ${run.itemCounts.failed} failed` : ""}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

function StatePanel({
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
                {summary.lastError.cause && <pre className="cause">{summary.lastError.cause}</pre>}
              </dd>
            </>
          )}
        </dl>
        {last ? (
          <>
            <div className="tabs" role="tablist" style={{ padding: 0 }}>
              {(["input", "output"] as const).map((which) => (
                <button key={which} type="button" role="tab" aria-selected={tab === which} className={tab === which ? "active" : undefined} onClick={() => setTab(which)}>
                  {which === "input" ? "Input" : "Output"}
                </button>
              ))}
            </div>
            <pre className="json" data-testid={`state-${tab}`}>
              {prettyJson(tab === "input" ? last.input : last.output) || (tab === "output" ? "(no output yet)" : "(none)")}
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

function EventsTable({ trace, stateName }: { trace: ExecutionTrace; stateName?: string }) {
  const [open, setOpen] = useState<number>();
  const rows = stateName ? trace.rows.filter((row) => row.stateName === stateName) : trace.rows;
  if (rows.length === 0) return <EmptyState title="No events" />;
  return (
    <div className="table-wrap" style={{ maxHeight: 480 }}>
      <table className="data" data-testid="events-table">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Type</th>
            <th>State</th>
            <th className="num">Elapsed</th>
            <th className="num hide-phone">Took</th>
            <th className="hide-phone">Time</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const failed = /Failed|TimedOut|Aborted/.test(row.type);
            return (
              <Fragment key={row.id}>
                <tr onClick={() => setOpen(open === row.id ? undefined : row.id)} style={{ cursor: row.details ? "pointer" : undefined }} className={open === row.id ? "selected" : undefined}>
                  <td className="num muted">{row.id}</td>
                  <td style={{ color: failed ? "var(--bad)" : undefined, fontWeight: failed ? 600 : undefined }}>
                    {row.details && Object.keys(row.details).length > 0 ? (open === row.id ? "▾ " : "▸ ") : ""}
                    {row.type}
                  </td>
                  <td>{row.stateName ?? <span className="muted">—</span>}</td>
                  <td className="num">{row.elapsedMs === undefined ? "—" : `+${formatDuration(row.elapsedMs)}`}</td>
                  <td className="num hide-phone">{row.durationMs === undefined ? "" : formatDuration(row.durationMs)}</td>
                  <td className="hide-phone nowrap muted">{formatDateTime(row.timestamp)}</td>
                </tr>
                {open === row.id && row.details && (
                  <tr>
                    <td colSpan={6}>
                      <EventDetails details={row.details} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** An event's details, with its JSON payloads (input, output, cause) indented. */
function EventDetails({ details }: { details: Record<string, unknown> }) {
  return (
    <dl className="facts">
      {Object.entries(details).map(([key, value]) => (
        <Fragment key={key}>
          <dt>{key}</dt>
          <dd>
            {typeof value === "string" && (value.startsWith("{") || value.startsWith("[")) ? (
              <pre className="json">{prettyJson(value)}</pre>
            ) : typeof value === "object" ? (
              <code>{JSON.stringify(value)}</code>
            ) : (
              String(value)
            )}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}
