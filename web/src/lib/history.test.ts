import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../api/types";
import { recorded } from "../test/fixtures";
import { combineStatuses, prettyJson, traceExecution } from "./history";

describe("traceExecution", () => {
  it("marks every visited state of a successful run succeeded and counts the Map's batches", () => {
    const trace = traceExecution(recorded.succeeded.events, "SUCCEEDED");
    expect(trace.states.get("FindStaleAccounts")?.status).toBe("succeeded");
    expect(trace.states.get("ScoreAccounts")?.status).toBe("succeeded");
    expect(trace.states.get("ScoreAccounts")?.map).toEqual({
      length: 3,
      started: 3,
      succeeded: 3,
      failed: 0,
      aborted: 0,
    });
    expect(trace.states.get("ScoreAccountBatch")?.entries).toHaveLength(3);
    expect(trace.states.get("ScoreAccountBatch")?.status).toBe("succeeded");
    expect(trace.states.has("NothingToDo")).toBe(false);
    expect(trace.failure).toBeUndefined();
  });

  it("tells a caught error from success, counts retries and names the failing state", () => {
    const trace = traceExecution(recorded.caughtFailure.events, "FAILED");
    const recordRun = trace.states.get("RecordRun");
    expect(recordRun?.status).toBe("caught");
    expect(recordRun?.retries).toBe(1);
    expect(recordRun?.lastError?.cause).toContain("Function not found");
    expect(trace.states.get("RunFailed")?.status).toBe("failed");
    // The step that failed, not the Fail state its Catch led to.
    expect(trace.failure).toMatchObject({
      error: "RunFailed",
      cause: "x",
      stateName: "RecordRun",
      failState: "RunFailed",
    });
  });

  it("marks the failed Map iterations' task failed and the Map's failure caught", () => {
    const trace = traceExecution(recorded.mapIterationFailure.events, "FAILED");
    expect(trace.states.get("ScoreAccountBatch")?.status).toBe("failed");
    expect(trace.states.get("ScoreAccountBatch")?.entries).toHaveLength(2);
    expect(trace.states.get("ScoreAccounts")?.status).toBe("caught");
    expect(trace.states.get("ScoreAccounts")?.map).toMatchObject({ length: 3, started: 2, failed: 2, succeeded: 0 });
    expect(trace.failure?.stateName).toBe("ScoreAccounts");
  });

  it("shows the current state as running while the execution runs", () => {
    const running = recorded.succeeded.events.filter((e) => e.id <= 15);
    const trace = traceExecution(running, "RUNNING");
    expect(trace.states.get("FindStaleAccounts")?.status).toBe("succeeded");
    expect(trace.states.get("ScoreAccounts")?.status).toBe("running");
    expect(trace.states.get("RecordRun")).toBeUndefined();
  });

  it("attributes events to states and times them from the start", () => {
    const trace = traceExecution(recorded.caughtFailure.events, "FAILED");
    const failed = trace.rows.find((r) => r.type === "LambdaFunctionFailed");
    expect(failed?.stateName).toBe("RecordRun");
    expect(trace.rows[0]?.elapsedMs).toBe(0);
    const exit = trace.rows.find((r) => r.type === "MapStateExited");
    expect(exit?.stateName).toBe("ScoreAccounts");
    expect(exit?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("judges states by their visits after a redrive", () => {
    const at = (s: number) => `2026-11-24T10:00:0${s}Z`;
    const events: HistoryEvent[] = [
      { id: 1, type: "ExecutionStarted", timestamp: at(0), details: {} },
      { id: 2, previousEventId: 1, type: "TaskStateEntered", timestamp: at(1), details: { name: "Score" } },
      { id: 3, previousEventId: 2, type: "TaskFailed", timestamp: at(2), details: { error: "Boom" } },
      { id: 4, previousEventId: 3, type: "ExecutionFailed", timestamp: at(2), details: { error: "Boom" } },
      { id: 5, previousEventId: 4, type: "ExecutionRedriven", timestamp: at(5), details: {} },
      { id: 6, previousEventId: 5, type: "TaskStateEntered", timestamp: at(6), details: { name: "Score" } },
      { id: 7, previousEventId: 6, type: "TaskSucceeded", timestamp: at(7), details: {} },
      {
        id: 8,
        previousEventId: 7,
        type: "TaskStateExited",
        timestamp: at(7),
        details: { name: "Score", output: "{}" },
      },
      { id: 9, previousEventId: 8, type: "ExecutionSucceeded", timestamp: at(8), details: {} },
    ];
    const trace = traceExecution(events, "SUCCEEDED");
    expect(trace.redriven).toBe(1);
    expect(trace.states.get("Score")?.status).toBe("succeeded");
    expect(trace.states.get("Score")?.entries).toHaveLength(2);
  });
});

describe("combineStatuses", () => {
  it("lets running outrank failed, and failed outrank success", () => {
    expect(combineStatuses(["succeeded", "failed", "running"])).toBe("running");
    expect(combineStatuses(["succeeded", "failed"])).toBe("failed");
    expect(combineStatuses([])).toBe("notReached");
  });
});

describe("prettyJson", () => {
  it("indents JSON text and leaves other text alone", () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("not json")).toBe("not json");
    expect(prettyJson(undefined)).toBe("");
  });
});
