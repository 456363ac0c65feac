import type { Execution } from "../../api/types";
import { AdminOnly } from "../../auth/AdminOnly";
import { describeError, runInProgress } from "../../lib/describeError";
import { RunInProgress } from "./RunInProgress";
import { canRerun } from "../../lib/risk";
import type { Rerun } from "./useRerun";

/** Rerun, for a run that failed, timed out or was stopped (administrators only). */
export function RerunButton({ execution, rerun }: { execution: Execution; rerun: Rerun }) {
  if (!canRerun(execution.status)) return null;
  return (
    <AdminOnly>
      <button type="button" className="primary" onClick={rerun.start} disabled={rerun.pending}>
        {rerun.pending ? "Starting rerun…" : "Rerun"}
      </button>
    </AdminOnly>
  );
}

/** What became of a rerun: redriven and followed here, or refused and why. */
export function RerunOutcome({ rerun }: { rerun: Rerun }) {
  return (
    <>
      {rerun.notice && (
        <div className="banner info" role="status">
          {rerun.notice}
        </div>
      )}
      {rerun.refused && (
        <div className="banner bad" role="alert">
          Rerun refused: <Refusal error={rerun.refused} />
        </div>
      )}
    </>
  );
}

function Refusal({ error }: { error: unknown }) {
  const running = runInProgress(error);
  return running ? <RunInProgress executionId={running} /> : <>{describeError(error).detail}</>;
}
