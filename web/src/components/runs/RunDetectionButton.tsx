import { useNavigate } from "@tanstack/react-router";
import { useStartExecution } from "../../api/queries";
import { useRole } from "../../auth/hooks";
import { describeError, runInProgress } from "../../lib/describeError";
import { RunInProgress } from "./RunInProgress";

/** Starts a detection run and opens its page, where the graph follows it (administrators only). */
export function RunDetectionButton({ className = "primary" }: { className?: string }) {
  const start = useStartExecution();
  const navigate = useNavigate();
  if (useRole() !== "admin") return null;
  const running = runInProgress(start.error);
  return (
    <span className="actions">
      <button
        type="button"
        className={className}
        disabled={start.isPending}
        onClick={() =>
          start.mutate(undefined, {
            onSuccess: (started) =>
              void navigate({ to: "/runs/$executionId", params: { executionId: started.executionId } }),
          })
        }
      >
        {start.isPending ? "Starting…" : "Run detection now"}
      </button>
      {start.isError && (
        <span className="field-error" role="alert" data-testid="start-refused">
          {running ? (
            <RunInProgress executionId={running} />
          ) : (
            `${describeError(start.error).title}: ${describeError(start.error).detail}`
          )}
        </span>
      )}
    </span>
  );
}
