import { Fragment, useState } from "react";
import { formatDateTime, formatDuration } from "../../lib/format";
import { prettyJson, type ExecutionTrace } from "../../lib/history";
import { EmptyState, Panel } from "../ui";

/** The run's history events, or the selected state's; a click on an event opens its details. */
export function EventsPanel({
  trace,
  eventCount,
  selected,
  onShowAll,
}: {
  trace: ExecutionTrace;
  eventCount: number;
  selected?: string;
  onShowAll: () => void;
}) {
  return (
    <Panel
      title={selected ? `Events of ${selected}` : `Events (${eventCount})`}
      actions={
        selected && (
          <button type="button" className="small" onClick={onShowAll}>
            Show all
          </button>
        )
      }
      flush
    >
      <EventsTable trace={trace} stateName={selected} />
    </Panel>
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
                <tr
                  onClick={() => setOpen(open === row.id ? undefined : row.id)}
                  style={{ cursor: row.details ? "pointer" : undefined }}
                  className={open === row.id ? "selected" : undefined}
                >
                  <td className="num muted">{row.id}</td>
                  <td style={{ color: failed ? "var(--bad)" : undefined, fontWeight: failed ? 600 : undefined }}>
                    {row.details && Object.keys(row.details).length > 0 ? (open === row.id ? "▾ " : "▸ ") : ""}
                    {row.type}
                  </td>
                  <td>{row.stateName ?? <span className="muted">—</span>}</td>
                  <td className="num">{row.elapsedMs === undefined ? "—" : `+${formatDuration(row.elapsedMs)}`}</td>
                  <td className="num hide-phone">
                    {row.durationMs === undefined ? "" : formatDuration(row.durationMs)}
                  </td>
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
