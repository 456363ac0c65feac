import { Link } from "@tanstack/react-router";
import type { Execution } from "../../api/types";
import { useServices } from "../../app";
import { executionConsoleUrl } from "../../config";
import { formatAge, formatDateTime, formatSeconds, parseTime, triggerLabel } from "../../lib/format";
import { StatusBadge } from "../ui";
import { RerunButton } from "./Rerun";
import type { Rerun } from "./useRerun";

/** The run's id and status, when and how it ran, which run it reruns; the console link and Rerun. */
export function RunHeader({ execution, rerun }: { execution: Execution; rerun: Rerun }) {
  const { config } = useServices();
  const consoleUrl = executionConsoleUrl(config, execution.executionArn);
  const stoppedAt = parseTime(execution.stoppedAt);
  return (
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
          {stoppedAt
            ? ` · took ${formatSeconds(execution.durationSeconds)}`
            : ` · running for ${formatSeconds(execution.durationSeconds)}`}
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
        <RerunButton execution={execution} rerun={rerun} />
      </div>
    </div>
  );
}
