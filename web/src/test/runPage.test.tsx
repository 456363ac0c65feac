// @vitest-environment jsdom
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Execution } from "../api/types";
import { recorded } from "./fixtures";
import { renderApp } from "./renderApp";

const failed: Execution = {
  executionId: "run-1",
  executionArn: "arn:aws:states:eu-west-1:123456789012:execution:isoflow-detection:run-1",
  status: "FAILED",
  startedAt: "2026-11-24T16:00:00Z",
  stoppedAt: "2026-11-24T16:00:04Z",
  durationSeconds: 4,
  error: "BatchesFailedError",
  cause: "1 of 1 account batches failed",
  events: recorded.distributedMapFailure.events,
  redriveCount: 0,
  mapRuns: recorded.distributedMapFailure.mapRuns ?? [],
  definition: recorded.distributedMapFailure.definition,
};

describe("a run's page", () => {
  it("shows the failure and, in AWS, links to the execution in the console", async () => {
    renderApp(
      "/runs/run-1",
      { getExecution: vi.fn().mockResolvedValue(failed) },
      {
        apiBaseUrl: "/api",
        environment: "aws",
        region: "eu-west-1",
      },
    );
    expect(await screen.findByTestId("failure")).toHaveTextContent("1 of 1 account batches failed");
    expect(screen.getByRole("link", { name: /Step Functions console/ })).toHaveAttribute(
      "href",
      expect.stringContaining("#/v2/executions/details/arn:aws:states:eu-west-1"),
    );
  });

  it("follows a redriven run on the same page until it succeeds", async () => {
    const getExecution = vi
      .fn()
      .mockResolvedValueOnce(failed)
      .mockResolvedValueOnce(failed)
      .mockResolvedValue({ ...failed, status: "SUCCEEDED", error: null, cause: null, redriveCount: 1 });
    const rerunExecution = vi.fn().mockResolvedValue({ executionId: "run-1", mode: "redrive" });
    const { router } = renderApp("/runs/run-1", { getExecution, rerunExecution });

    await userEvent.click(await screen.findByRole("button", { name: "Rerun" }));

    expect(rerunExecution).toHaveBeenCalledWith("run-1");
    expect(await screen.findByText(/Redriven from the failed state/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("run-status")).toHaveAttribute("data-status", "SUCCEEDED"), {
      timeout: 6_000,
    });
    expect(router.state.location.pathname).toBe("/runs/run-1");
    expect(screen.queryByRole("button", { name: "Rerun" })).not.toBeInTheDocument();
  });

  it("opens the new run when a rerun starts one", async () => {
    const getExecution = vi
      .fn()
      .mockImplementation((id: string) =>
        Promise.resolve(
          id === "run-1"
            ? failed
            : { ...failed, executionId: id, status: "RUNNING", rerunOf: "run-1", error: null, cause: null },
        ),
      );
    const rerunExecution = vi.fn().mockResolvedValue({ executionId: "run-2", mode: "restart" });
    const { router } = renderApp("/runs/run-1", { getExecution, rerunExecution });

    await userEvent.click(await screen.findByRole("button", { name: "Rerun" }));

    await waitFor(() => expect(router.state.location.pathname).toBe("/runs/run-2"));
    expect(await screen.findByRole("link", { name: "run-1" })).toBeInTheDocument();
  });
});
