import type { Execution } from "../../api/types";
import type { ExecutionTrace } from "../../lib/history";

/** Why a run failed: its error, the state it failed in and the cause Step Functions recorded. */
export function FailureCause({ execution, trace }: { execution: Execution; trace: ExecutionTrace }) {
  if (!(execution.error || execution.cause || execution.status === "FAILED")) return null;
  return (
    <div className="banner bad" role="alert" data-testid="failure">
      <div style={{ minWidth: 0 }}>
        <strong>{execution.error ?? "Failed"}</strong>
        {trace.failure?.stateName && trace.failure.stateName !== execution.error
          ? ` in ${trace.failure.stateName}`
          : ""}
        {execution.cause && <pre className="cause">{execution.cause}</pre>}
      </div>
    </div>
  );
}
