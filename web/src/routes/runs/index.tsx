import { Link, createFileRoute } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useExecutions } from "../../api/queries";
import { useServices } from "../../app";
import { RunDetectionButton } from "../../components/runs/RunDetectionButton";
import { EmptyState, Pager, QueryView, StatusBadge } from "../../components/ui";
import { useCursorPager } from "../../components/useCursorPager";
import { formatAge, formatCount, formatDateTime, formatSeconds, triggerLabel } from "../../lib/format";

export const Route = createFileRoute("/runs/")({ component: RunsPage });

function RunsPage() {
  const { config } = useServices();
  const pager = useCursorPager("runs");
  const query = useExecutions({ cursor: pager.cursor, limit: 25 });
  const running = query.data?.items.some((run) => run.status === "RUNNING");
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Detection runs</h1>
          <div className="sub">
            Each run scores the accounts that changed since their last run
            {running ? " · refreshing while a run is in progress" : ""}
          </div>
        </div>
        <div className="actions">
          {config.stateMachineConsoleUrl && (
            <a className="button" href={config.stateMachineConsoleUrl} target="_blank" rel="noreferrer">
              State machine in the console ↗
            </a>
          )}
          <RunDetectionButton />
        </div>
      </div>
      <section className="panel">
        <QueryView
          query={query}
          loadingRows={6}
          isEmpty={(data) => data.items.length === 0 && !data.nextCursor}
          empty={
            <EmptyState title="No runs yet">
              Runs start on a schedule<AdminOnly>; start one now with the button above</AdminOnly>.
            </EmptyState>
          }
        >
          {(data) => (
            <>
              <div className="table-wrap">
                <table className="data" data-testid="runs-table">
                  <thead>
                    <tr>
                      <th>Status</th>
                      <th>Run</th>
                      <th>Started</th>
                      <th className="num">Duration</th>
                      <th className="num hide-phone">Accounts</th>
                      <th className="num hide-phone">Scored</th>
                      <th className="num">High risk</th>
                      <th className="hide-phone">Trigger</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((run) => (
                      <tr key={run.executionId} data-id={run.executionId}>
                        <td>
                          <StatusBadge status={run.status} />
                        </td>
                        <td className="mono">
                          <Link to="/runs/$executionId" params={{ executionId: run.executionId }}>
                            {run.executionId}
                          </Link>
                          {run.rerunOf && <div className="hint">reruns {run.rerunOf}</div>}
                        </td>
                        <td className="nowrap" title={formatDateTime(run.startedAt)}>
                          {formatAge(run.startedAt)}
                        </td>
                        <td className="num">{formatSeconds(run.durationSeconds)}</td>
                        <td className="num hide-phone">{formatCount(run.summary?.accounts)}</td>
                        <td className="num hide-phone">{formatCount(run.summary?.transactionsScored)}</td>
                        <td className="num">{formatCount(run.summary?.anomalies)}</td>
                        <td className="hide-phone">{triggerLabel(run.trigger)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager
                page={pager.page}
                count={data.items.length}
                nextCursor={data.nextCursor}
                onNext={pager.next}
                onPrevious={pager.previous}
                busy={query.isFetching}
              />
            </>
          )}
        </QueryView>
      </section>
    </div>
  );
}
