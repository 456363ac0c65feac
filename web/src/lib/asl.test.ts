import { describe, expect, it } from "vitest";
import { recorded } from "../test/fixtures";
import {
  END,
  START,
  allStates,
  choiceLabel,
  layoutStateMachine,
  parseDefinition,
  type AslMachine,
  type Graph,
  type GraphNode,
} from "./asl";
// The detection state machine as the local stack defines it (isoflow.local.resources.detection_definition);
// tests/e2e/test_dashboard_pictures.py checks that the running stack's still has the same states and transitions.
import detectionDefinition from "./detectionDefinition.json";

const machine = parseDefinition(recorded.caughtFailure.definition) as AslMachine;

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The corners of an edge's path: its points, a rounded corner's control point being the corner itself. */
function pathPoints(path: string): [number, number][] {
  return [...path.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** Whether the segment from a to b passes through the inside of the box (touching its edge does not count). */
function crossesBox(a: [number, number], b: [number, number], box: GraphNode): boolean {
  const inset = 1;
  const [left, right, top, bottom] = [
    box.x + inset,
    box.x + box.width - inset,
    box.y + inset,
    box.y + box.height - inset,
  ];
  // Clip the segment to the box (Liang–Barsky): it crosses if any of it is left.
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  for (const [p, q] of [
    [-dx, a[0] - left],
    [dx, right - a[0]],
    [-dy, a[1] - top],
    [dy, bottom - a[1]],
  ] as [number, number][]) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
    }
  }
  return t0 < t1;
}

/** Every edge segment that passes through a state other than the edge's own two and the boxes around them. */
function crossings(graph: Graph): string[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const around = (id: string): string[] => {
    const parent = byId.get(id)?.parent;
    return parent ? [parent, ...around(parent)] : [];
  };
  const found: string[] = [];
  for (const edge of graph.edges) {
    const own = new Set([edge.from, edge.to, ...around(edge.from), ...around(edge.to)]);
    const points = pathPoints(edge.path);
    for (let i = 1; i < points.length; i++) {
      for (const node of graph.nodes) {
        if (own.has(node.id)) continue;
        if (crossesBox(points[i - 1] as [number, number], points[i] as [number, number], node)) {
          found.push(`${edge.from} -> ${edge.to} (${edge.kind}) crosses ${node.id}`);
        }
      }
    }
  }
  return found;
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
    if (!back || !check || !wait) throw new Error("no loop");
    expect(check.y).toBeLessThan(wait.y);
    const points = pathPoints(back.path);
    // Out of Wait's bottom, up a lane right of every state, into Check's top.
    expect(points[0]?.[1]).toBe(wait.y + wait.height);
    expect(points[points.length - 1]?.[1]).toBe(check.y);
    const lane = Math.max(...points.map(([x]) => x));
    expect(lane).toBeGreaterThan(Math.max(...looped.nodes.map((n) => n.x + n.width)));
    expect(lane).toBeLessThan(looped.width);
    expect(crossings(looped)).toEqual([]);
  });

  it("routes every edge of the detection state machine around the states it does not connect", () => {
    const graph = layoutStateMachine(parseDefinition(detectionDefinition) as AslMachine);
    // The states the run page draws: the catch edges to DetectionFailed skip most of them.
    expect(graph.edges.filter((e) => e.to === "DetectionFailed")).toHaveLength(4);
    expect(graph.edges.find((e) => e.from === "RefitDue?" && e.to === "FindStaleAccounts")).toBeDefined();
    expect(crossings(graph)).toEqual([]);
    for (const edge of graph.edges) {
      const points = pathPoints(edge.path);
      // Each edge is a run of horizontal and vertical stretches, inside the canvas.
      for (const [x, y] of points) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(graph.width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(graph.height);
      }
    }
  });

  it.each(Object.keys(recorded) as (keyof typeof recorded)[])(
    "routes the edges of the %s recording's definition around the states they do not connect",
    (run) => {
      expect(crossings(layoutStateMachine(parseDefinition(recorded[run].definition) as AslMachine))).toEqual([]);
    },
  );

  it("finds a crossing where an edge would run straight through a state", () => {
    const graph = layoutStateMachine(parseDefinition(detectionDefinition) as AslMachine);
    const from = graph.nodes.find((n) => n.id === "CheckModels") as GraphNode;
    const to = graph.nodes.find((n) => n.id === "DetectionFailed") as GraphNode;
    const straight = `M${from.x + 90},${from.y + from.height} L${to.x + 90},${to.y}`;
    const edges = graph.edges.map((e) =>
      e.from === "CheckModels" && e.to === "DetectionFailed" ? { ...e, path: straight } : e,
    );
    expect(crossings({ ...graph, edges })).toContain("CheckModels -> DetectionFailed (catch) crosses RefitDue?");
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
