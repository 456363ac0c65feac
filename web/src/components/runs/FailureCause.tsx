import type { Execution } from "../../api/types";
import type { ExecutionTrace } from "../../lib/history";

/** A Lambda error as Step Functions records it in a cause: type, message and the stack trace. */
interface LambdaError {
  errorType?: string;
  errorMessage?: string;
  stackTrace?: string[];
}

function lambdaError(cause: string): LambdaError | undefined {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === "object" && "errorMessage" in parsed) return parsed as LambdaError;
  } catch {
    // Not JSON: the cause is a message of its own.
  }
  return undefined;
}

/** A failure's cause, readable: a Lambda error's type and message, its stack trace folded away; any other cause
 * as it was written. */
export function Cause({ cause }: { cause: string }) {
  const error = lambdaError(cause);
  if (!error) return <pre className="cause">{cause}</pre>;
  return (
    <div data-testid="cause">
      <div className="cause-message">
        {error.errorType ? <strong>{error.errorType}: </strong> : null}
        {error.errorMessage}
      </div>
      {error.stackTrace?.length ? (
        <details>
          <summary>Stack trace</summary>
          <pre className="cause">{error.stackTrace.join("")}</pre>
        </details>
      ) : null}
    </div>
  );
}

/** Why a run failed: its error, the step that failed and the cause Step Functions recorded. */
export function FailureCause({ execution, trace }: { execution: Execution; trace: ExecutionTrace }) {
  if (!(execution.error || execution.cause || execution.status === "FAILED")) return null;
  const step = trace.failure?.stateName;
  return (
    <div className="banner bad" role="alert" data-testid="failure">
      <div style={{ minWidth: 0 }}>
        <strong>{execution.error ?? "Failed"}</strong>
        {step && step !== execution.error ? (
          <>
            {" in "}
            <strong data-testid="failed-step">{step}</strong>
          </>
        ) : null}
        {execution.cause && <Cause cause={execution.cause} />}
      </div>
    </div>
  );
}
