// @vitest-environment jsdom
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { recorded } from "../test/fixtures";
import { layoutStateMachine, parseDefinition, type AslMachine } from "../lib/asl";
import { traceExecution } from "../lib/history";
import { StateMachineGraph } from "./StateMachineGraph";

function renderRun(run: keyof typeof recorded, onSelect = vi.fn()) {
  const { definition, events, status, mapRuns } = recorded[run];
  const graph = layoutStateMachine(parseDefinition(definition) as AslMachine);
  const view = render(
    <StateMachineGraph
      graph={graph}
      trace={traceExecution(events, status)}
      executionStatus={status}
      mapRuns={mapRuns}
      onSelect={onSelect}
    />,
  );
  const statusOf = (state: string) =>
    view.container.querySelector(`[data-state="${state}"]`)?.getAttribute("data-status");
  return { ...view, statusOf, onSelect };
}

describe("StateMachineGraph", () => {
  it("colours each state by what happened to it in the execution", () => {
    const { statusOf } = renderRun("caughtFailure");
    expect(statusOf("FindStaleAccounts")).toBe("succeeded");
    expect(statusOf("ScoreAccounts")).toBe("succeeded");
    expect(statusOf("RecordRun")).toBe("caught");
    expect(statusOf("RunFailed")).toBe("failed");
    expect(statusOf("NothingToDo")).toBe("notReached");
    expect(statusOf("__end__")).toBe("failed");
  });

  it("shows the Map's batch counts", () => {
    const { container } = renderRun("mapIterationFailure");
    const map = container.querySelector('[data-state="ScoreAccounts"]');
    expect(map?.textContent).toContain("0/3 batches, 2 failed");
  });

  it("marks the states of a Distributed Map as run in its map run, with the map run's batch counts", () => {
    const { container, statusOf } = renderRun("distributedMapFailure");
    expect(statusOf("FindStaleAccounts")).toBe("succeeded");
    expect(statusOf("ScoreAccountBatch")).toBe("inMapRun");
    expect(statusOf("ClearStaleFlags")).toBe("inMapRun");
    expect(statusOf("RecordRun")).toBe("caught");
    expect(statusOf("DetectionFailed")).toBe("failed");
    expect(statusOf("NothingStale")).toBe("notReached");
    expect(container.querySelector('[data-state="ScoreAccounts"]')?.textContent).toContain("0/1 batches, 1 failed");
  });

  it("names each edge's two states, for a reader hovering it and for checks of where it runs", () => {
    const { container } = renderRun("caughtFailure");
    const edge = container.querySelector('.edge-group[data-from="RecordRun"][data-to="RunFailed"]');
    expect(edge?.querySelector("title")?.textContent).toBe("RecordRun → RunFailed (Catch States.ALL)");
    expect(edge?.querySelector("path.edge.catch")?.getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+ /);
    expect(container.querySelector('.edge-group[data-from="__start__"] title')?.textContent).toBe(
      "Start → FindStaleAccounts",
    );
  });

  it("selects a state on click, but not the start and end markers", async () => {
    const { container, onSelect } = renderRun("succeeded");
    await userEvent.click(container.querySelector('[data-state="RecordRun"]') as Element);
    await userEvent.click(container.querySelector('[data-state="__start__"]') as Element);
    expect(onSelect).toHaveBeenCalledTimes(1);
    expect(onSelect).toHaveBeenCalledWith("RecordRun");
  });
});
