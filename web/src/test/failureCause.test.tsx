// @vitest-environment jsdom
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Execution } from "../api/types";
import { FailureCause } from "../components/runs/FailureCause";
import type { ExecutionTrace } from "../lib/history";

const lambdaCause = JSON.stringify({
  errorMessage: "1 of 1 account batches failed after retries: batch 0: RuntimeError: detector unavailable",
  errorType: "BatchesFailedError",
  stackTrace: ['  File "/var/task/handlers/record_run.py", line 30, in handler\n', "    raise error\n"],
});

function trace(stateName?: string): ExecutionTrace {
  return { states: new Map(), rows: [], redriven: 0, failure: { stateName, failState: "DetectionFailed" } };
}

describe("a failed run's cause", () => {
  it("names the step that failed and reads a Lambda error as type and message, its stack trace folded", () => {
    const execution = { status: "FAILED", error: "BatchesFailedError", cause: lambdaCause } as Execution;
    render(<FailureCause execution={execution} trace={trace("ScoreAccounts")} />);
    expect(screen.getByTestId("failed-step").textContent).toBe("ScoreAccounts");
    expect(screen.getByTestId("cause").textContent).toContain(
      "BatchesFailedError: 1 of 1 account batches failed after retries",
    );
    const folded = screen.getByText("Stack trace").closest("details");
    expect(folded?.open).toBe(false);
    expect(folded?.textContent).toContain('File "/var/task/handlers/record_run.py", line 30');
    expect(screen.queryByText(/\\n/)).toBeNull(); // no escaped JSON left on the page
  });

  it("shows a cause that is not a Lambda error as it was written", () => {
    const execution = { status: "FAILED", error: "States.Timeout", cause: "the task timed out" } as Execution;
    render(<FailureCause execution={execution} trace={trace("CheckModels")} />);
    expect(screen.getByText("the task timed out").tagName).toBe("PRE");
    expect(screen.getByTestId("failed-step").textContent).toBe("CheckModels");
  });
});
