import { useNavigate } from "@tanstack/react-router";
import { useStartExecution } from "../api/queries";
import type { RunSummary } from "../api/types";
import { useRole } from "../auth/hooks";
import { formatCount } from "../lib/format";
import { describeError } from "./ui";

/** Starts a detection run and opens its page, where the graph follows it (administrators only). */
export function RunDetectionButton({ className = "primary" }: { className?: string }) {
  const start = useStartExecution();
  const navigate = useNavigate();
  if (useRole() !== "admin") return null;
  return (
    <span className="actions">
      <button
        type="button"
        className={className}
        disabled={start.isPending}
        onClick={() =>
          start.mutate(undefined, {
            onSuccess: (started) => void navigate({ to: "/runs/$executionId", params: { executionId: started.executionId } }),
          })
        }
      >
        {start.isPending ? "Starting…" : "Run detection now"}
      </button>
      {start.isError && (
        <span className="field-error" role="alert">
          {describeError(start.error).title}: {describeError(start.error).detail}
        </span>
      )}
    </span>
  );
}

/** "120 accounts · 340 scored · 3 anomalies", from a run's summary. */
export function summaryText(summary: RunSummary | null | undefined): string {
  if (!summary) return "—";
  const parts = [`${formatCount(summary.accounts)} accounts`, `${formatCount(summary.transactionsScored)} scored`];
  if (summary.anomalies !== undefined) parts.push(`${formatCount(summary.anomalies)} high risk`);
  if (summary.accountsFailed) parts.push(`${formatCount(summary.accountsFailed)} accounts not scored`);
  if (summary.failedBatches) parts.push(`${summary.failedBatches} of ${summary.batches} batches failed`);
  return parts.join(" · ");
}
