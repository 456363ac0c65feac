import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useRerunExecution } from "../../api/queries";
import type { Execution } from "../../api/types";

export type Rerun = ReturnType<typeof useRerun>;

/**
 * Reruns a run. A redrive continues the same execution, which this page then follows (`onRedriven`); a rerun
 * that starts a new execution opens that one's page.
 */
export function useRerun(execution: Execution, onRedriven: () => void) {
  const navigate = useNavigate();
  const mutation = useRerunExecution();
  const [notice, setNotice] = useState<string>();
  const start = () =>
    mutation.mutate(execution.executionId, {
      onSuccess: (started) => {
        if (started.executionId === execution.executionId) {
          onRedriven();
          setNotice("Redriven from the failed state; this page follows it.");
        } else {
          void navigate({ to: "/runs/$executionId", params: { executionId: started.executionId } });
        }
      },
    });
  return { start, pending: mutation.isPending, refused: mutation.error, notice };
}
