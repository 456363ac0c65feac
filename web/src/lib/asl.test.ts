import { describe, expect, it } from "vitest";
import { recorded } from "../test/fixtures";
import { END, START, allStates, choiceLabel, layoutStateMachine, parseDefinition, type AslMachine } from "./asl";

const machine = parseDefinition(recorded.caughtFailure.definition) as AslMachine;

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe("parseDefinition", () => {
  it("accepts the definition as JSON text or as an object", () => {
    const text = JSON.stringify(machine);
    expect(parseDefinition(text)?.StartAt).toBe("FindStaleAccounts");
    expect(parseDefinition(machine)?.StartAt).toBe("FindStaleAccounts");
  });

  it("rejects what is not a state machine", () => {
    expect(parseDefinition("{not json")).toBeUndefined();
    expect(parseDefinition({ States: {} })).toBeUndefined();
    expect(parseDefinition(null)).toBeUndefined();
  });
});

describe("layoutStateMachine", () => {
  const graph = layoutStateMachine(machine);
  const node = (id: string) => {
    const found = graph.nodes.find((n) => n.id === id);
    if (!found) throw new Error(`no node ${id}`);
    return found;
  };

  it("draws every state, nested ones included, between Start and End markers", () => {
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([START, END, ...allStates(machine).keys()].sort());
    expect(node(START).y).toBeLessThan(node("FindStaleAccounts").y);
    expect(node(END).y).toBeGreaterThan(Math.max(...graph.nodes.filter((n) => n.id !== END).map((n) => n.y)));
  });

  it("ranks each state below the states that lead to it", () => {
    expect(node("FindStaleAccounts").y).toBeLessThan(node("AnyStale?").y);
    expect(node("AnyStale?").y).toBeLessThan(node("ScoreAccounts").y);
    expect(node("ScoreAccounts").y + node("ScoreAccounts").height).toBeLessThan(node("RecordRun").y);
    expect(node("RecordRun").y).toBeLessThan(node("RunFailed").y);
  });

  it("puts the Map's processor inside the Map's box", () => {
    const map = node("ScoreAccounts");
    const inner = node("ScoreAccountBatch");
    expect(map.container).toBe(true);
    expect(inner.parent).toBe("ScoreAccounts");
    expect(inner.depth).toBe(1);
    expect(inner.x).toBeGreaterThanOrEqual(map.x);
    expect(inner.x + inner.width).toBeLessThanOrEqual(map.x + map.width);
    expect(inner.y).toBeGreaterThan(map.y);
    expect(inner.y + inner.height).toBeLessThanOrEqual(map.y + map.height);
  });

  it("keeps sibling boxes from overlapping and inside the canvas", () => {
    const outer = graph.nodes.filter((n) => n.depth === 0);
    for (const a of outer) {
      for (const b of outer) if (a !== b) expect(overlaps(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.x + a.width).toBeLessThanOrEqual(graph.width);
      expect(a.y + a.height).toBeLessThanOrEqual(graph.height);
    }
  });

  it("draws Next, Choice, Default and Catch transitions with labels", () => {
    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);
    expect(edge("FindStaleAccounts", "AnyStale?")?.kind).toBe("next");
    expect(edge("AnyStale?", "NothingToDo")).toMatchObject({ kind: "choice", label: "$.count == 0" });
    expect(edge("AnyStale?", "ScoreAccounts")).toMatchObject({ kind: "default", label: "Default" });
    expect(edge("RecordRun", "RunFailed")).toMatchObject({ kind: "catch", label: "Catch States.ALL" });
    expect(edge("RunFailed", END)).toBeDefined();
    expect(edge(START, "FindStaleAccounts")).toBeDefined();
  });

  it("routes a loop back up the graph around the right side", () => {
    const loop: AslMachine = {
      StartAt: "Check",
      States: {
        Check: { Type: "Pass", Next: "Done?" },
        "Done?": {
          Type: "Choice",
          Choices: [{ Variable: "$.done", BooleanEquals: true, Next: "Finish" }],
          Default: "Wait",
        },
        Wait: { Type: "Wait", Seconds: 5, Next: "Check" },
        Finish: { Type: "Succeed" },
      },
    };
    const looped = layoutStateMachine(loop);
    const back = looped.edges.find((e) => e.from === "Wait" && e.to === "Check");
    const check = looped.nodes.find((n) => n.id === "Check");
    const wait = looped.nodes.find((n) => n.id === "Wait");
    expect(check && wait && check.y < wait.y).toBe(true);
    expect(back?.path).toMatch(/^M[\d.]+,[\d.]+ C/);
    const startX = Number(back?.path.slice(1).split(",")[0]);
    expect(startX).toBe((wait?.x ?? 0) + (wait?.width ?? 0));
  });

  it("lays out Parallel branches side by side in one box", () => {
    const parallel: AslMachine = {
      StartAt: "Both",
      States: {
        Both: {
          Type: "Parallel",
          End: true,
          Branches: [
            { StartAt: "Left", States: { Left: { Type: "Pass", End: true } } },
            { StartAt: "Right", States: { Right: { Type: "Pass", End: true } } },
          ],
        },
      },
    };
    const laid = layoutStateMachine(parallel);
    const [left, right, both] = ["Left", "Right", "Both"].map((id) => laid.nodes.find((n) => n.id === id));
    expect(left?.y).toBe(right?.y);
    expect((left?.x ?? 0) + (left?.width ?? 0)).toBeLessThan(right?.x ?? 0);
    expect(both?.width).toBeGreaterThan((left?.width ?? 0) + (right?.width ?? 0));
  });
});

describe("choiceLabel", () => {
  it("prefers the rule's comment, then a readable condition", () => {
    expect(choiceLabel({ Next: "x", Comment: "no stale accounts" })).toBe("no stale accounts");
    expect(choiceLabel({ Next: "x", Variable: "$.n", NumericGreaterThan: 5 })).toBe("$.n > 5");
    expect(choiceLabel({ Next: "x", Variable: "$.m", IsPresent: true })).toBe("$.m is present");
  });
});
