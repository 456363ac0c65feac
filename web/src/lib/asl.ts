/**
 * A state machine's graph, laid out from its Amazon States Language definition: states ranked top to
 * bottom by their longest path from the start (back edges ignored), ordered within a rank by where their
 * predecessors sit, and Map / Parallel states drawn as boxes around their own sub-graphs. Edges run
 * between the rows and down clear lanes, around the states they do not connect (edgeRouting).
 */

import { routeEdges, type Box, type Row } from "./edgeRouting";

export interface AslState {
  Type: string;
  Comment?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string; Comment?: string; Variable?: string; [operator: string]: unknown }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: unknown[];
  Resource?: string;
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
  [field: string]: unknown;
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  ProcessorConfig?: unknown;
}

export type EdgeKind = "next" | "choice" | "default" | "catch";

export interface GraphNode {
  /** The state's name; "__start__" and "__end__" for the machine's start and end markers. */
  id: string;
  label: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Nesting depth: 0 for top-level states, 1 inside a Map's processor, and so on. */
  depth: number;
  /** The Map or Parallel state this one runs inside. */
  parent?: string;
  container: boolean;
  /** A Distributed Map: its iterations run as child executions, outside this execution's history. */
  distributed: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
  /** SVG path data, in the graph's coordinates. */
  path: string;
  labelX: number;
  labelY: number;
  /** Labels of edges heading left end at their point, so two edges leaving one Choice keep apart. */
  labelAnchor: "start" | "end";
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export const START = "__start__";
export const END = "__end__";

export const LAYOUT = {
  nodeWidth: 184,
  containerWidth: 264,
  nodeHeight: 36,
  markerWidth: 64,
  markerHeight: 26,
  rankGap: 40,
  nodeGap: 24,
  padding: 14,
  header: 40,
  margin: 12,
} as const;

export function parseDefinition(definition: unknown): AslMachine | undefined {
  let value = definition;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const machine = value as AslMachine;
  if (typeof machine.StartAt !== "string" || typeof machine.States !== "object" || machine.States === null) {
    return undefined;
  }
  return machine;
}

/** The sub-machines a state runs: a Map's processor, a Parallel's branches. */
export function isDistributedMap(state: AslState): boolean {
  const config = state.ItemProcessor?.ProcessorConfig as { Mode?: string } | undefined;
  return state.Type === "Map" && config?.Mode === "DISTRIBUTED";
}

export function subMachines(state: AslState): AslMachine[] {
  if (state.Type === "Map") {
    const processor = state.ItemProcessor ?? state.Iterator;
    return processor ? [processor] : [];
  }
  if (state.Type === "Parallel") return state.Branches ?? [];
  return [];
}

interface Transition {
  to: string;
  kind: EdgeKind;
  label?: string;
}

const OPERATORS: Record<string, string> = {
  Equals: "==",
  LessThan: "<",
  GreaterThan: ">",
  LessThanEquals: "≤",
  GreaterThanEquals: "≥",
};

/** A short readable condition for a Choice rule: its Comment, else "$.count == 0"-style text. */
export function choiceLabel(rule: NonNullable<AslState["Choices"]>[number]): string {
  if (rule.Comment) return rule.Comment;
  const variable = typeof rule.Variable === "string" ? rule.Variable : "";
  for (const [key, value] of Object.entries(rule)) {
    if (key === "Next" || key === "Variable" || key === "Comment") continue;
    if (key === "IsPresent" || key === "IsNull" || key === "IsBoolean" || key === "IsNumeric" || key === "IsString") {
      return `${variable} ${key.replace(/^Is/, "is ").toLowerCase()}${value ? "" : " (false)"}`;
    }
    const operator = Object.entries(OPERATORS).find(([suffix]) => key.endsWith(suffix) && !key.endsWith("Path"));
    if (operator) return `${variable} ${operator[1]} ${JSON.stringify(value)}`;
    return `${variable} ${key}`.trim();
  }
  return variable || "rule";
}

export function transitions(state: AslState): Transition[] {
  const out: Transition[] = [];
  if (state.Next) out.push({ to: state.Next, kind: "next" });
  for (const rule of state.Choices ?? []) out.push({ to: rule.Next, kind: "choice", label: choiceLabel(rule) });
  if (state.Default) out.push({ to: state.Default, kind: "default", label: "Default" });
  for (const handler of state.Catch ?? []) {
    out.push({ to: handler.Next, kind: "catch", label: `Catch ${handler.ErrorEquals.join(", ")}` });
  }
  return out;
}

function isTerminal(state: AslState): boolean {
  return state.End === true || state.Type === "Succeed" || state.Type === "Fail";
}

interface LocalNode {
  id: string;
  label: string;
  type: string;
  distributed: boolean;
  width: number;
  height: number;
  /** Laid out sub-graphs of a container, in the container's coordinates. */
  children: Graph[];
}

/** Ranks by longest path from the start over the graph without its back edges. */
function rank(order: string[], edges: { from: string; to: string }[], start: string): Map<string, number> {
  const outgoing = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const edge of edges) outgoing.get(edge.from)?.push(edge.to);

  const backEdges = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const visit = (id: string) => {
    state.set(id, "open");
    for (const next of outgoing.get(id) ?? []) {
      const seen = state.get(next);
      if (seen === "open") backEdges.add(`${id}->${next}`);
      else if (seen === undefined && outgoing.has(next)) visit(next);
    }
    state.set(id, "done");
  };
  visit(start);
  for (const id of order) if (!state.has(id)) visit(id);

  const forward = edges.filter((e) => !backEdges.has(`${e.from}->${e.to}`) && outgoing.has(e.to) && e.from !== e.to);
  const indegree = new Map<string, number>(order.map((id) => [id, 0]));
  for (const edge of forward) indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
  const ranks = new Map<string, number>(order.map((id) => [id, 0]));
  const queue = order.filter((id) => indegree.get(id) === 0);
  while (queue.length) {
    const id = queue.shift() as string;
    for (const edge of forward.filter((e) => e.from === id)) {
      ranks.set(edge.to, Math.max(ranks.get(edge.to) ?? 0, (ranks.get(id) ?? 0) + 1));
      const remaining = (indegree.get(edge.to) ?? 0) - 1;
      indegree.set(edge.to, remaining);
      if (remaining === 0) queue.push(edge.to);
    }
  }
  return ranks;
}

/**
 * Lays out one machine (the top level, a Map's processor or a Parallel branch) in its own coordinates.
 * `markers` adds the Start and End markers that the top level shows.
 */
function layoutMachine(machine: AslMachine, depth: number, parent: string | undefined, markers: boolean): Graph {
  const names = Object.keys(machine.States);
  const locals = new Map<string, LocalNode>();
  for (const name of names) {
    const state = machine.States[name] as AslState;
    const children = subMachines(state).map((sub) => layoutMachine(sub, depth + 1, name, false));
    const container = state.Type === "Map" || state.Type === "Parallel";
    const childrenWidth =
      children.reduce((sum, g) => sum + g.width, 0) + LAYOUT.nodeGap * Math.max(0, children.length - 1);
    const childrenHeight = Math.max(0, ...children.map((g) => g.height));
    locals.set(name, {
      id: name,
      label: name,
      type: state.Type,
      distributed: isDistributedMap(state),
      // Wide enough for the header ("ScoreAccounts · Distributed Map") whatever the sub-graph's width.
      width: container ? Math.max(LAYOUT.containerWidth, childrenWidth + 2 * LAYOUT.padding) : LAYOUT.nodeWidth,
      height: container ? LAYOUT.header + childrenHeight + LAYOUT.padding : LAYOUT.nodeHeight,
      children,
    });
  }

  const edges: { from: string; to: string; kind: EdgeKind; label?: string }[] = [];
  for (const name of names) {
    const state = machine.States[name] as AslState;
    for (const t of transitions(state)) if (locals.has(t.to)) edges.push({ from: name, ...t });
    if (markers && isTerminal(state)) edges.push({ from: name, to: END, kind: "next" });
  }
  const order = [...names];
  if (markers) {
    locals.set(START, {
      id: START,
      label: "Start",
      type: "Start",
      distributed: false,
      width: LAYOUT.markerWidth,
      height: LAYOUT.markerHeight,
      children: [],
    });
    locals.set(END, {
      id: END,
      label: "End",
      type: "End",
      distributed: false,
      width: LAYOUT.markerWidth,
      height: LAYOUT.markerHeight,
      children: [],
    });
    edges.unshift({ from: START, to: machine.StartAt, kind: "next" });
    order.unshift(START);
    order.push(END);
  }
  const start = markers ? START : machine.StartAt;
  const ranks = rank(order, edges, start);
  if (markers) {
    // The End marker always sits below every state.
    ranks.set(END, Math.max(0, ...[...ranks.entries()].filter(([id]) => id !== END).map(([, r]) => r)) + 1);
  }

  // Rows, in discovery order first, then each row ordered by where its predecessors sit.
  const rowCount = Math.max(0, ...ranks.values()) + 1;
  const rows: string[][] = Array.from({ length: rowCount }, () => []);
  const discovery: string[] = [];
  const seen = new Set<string>();
  const walk = (id: string) => {
    if (seen.has(id) || !locals.has(id)) return;
    seen.add(id);
    discovery.push(id);
    for (const edge of edges) if (edge.from === id) walk(edge.to);
  };
  walk(start);
  for (const id of order) walk(id);
  for (const id of discovery) rows[ranks.get(id) ?? 0]?.push(id);

  const rowWidth = (row: string[]) =>
    row.reduce((sum, id) => sum + (locals.get(id)?.width ?? 0), 0) + LAYOUT.nodeGap * Math.max(0, row.length - 1);
  const width = Math.max(LAYOUT.nodeWidth, ...rows.map(rowWidth));

  const boxes = new Map<string, Box>();
  const bands: Row[] = [];
  const rowOf = new Map<string, number>();
  let y = 0;
  for (const row of rows) {
    if (row.length === 0) continue;
    const centre = (id: string) => {
      const preds = edges.filter((e) => e.to === id && boxes.has(e.from)).map((e) => boxes.get(e.from) as Box);
      return preds.length ? preds.reduce((sum, b) => sum + b.x + b.width / 2, 0) / preds.length : width / 2;
    };
    // Catch handlers and other side exits drift right of the main line.
    row.sort((a, b) => centre(a) - centre(b) || catchOnly(a) - catchOnly(b));
    let x = (width - rowWidth(row)) / 2;
    const height = Math.max(...row.map((id) => locals.get(id)?.height ?? 0));
    for (const id of row) {
      const local = locals.get(id) as LocalNode;
      boxes.set(id, { x, y: y + (height - local.height) / 2, width: local.width, height: local.height });
      rowOf.set(id, bands.length);
      x += local.width + LAYOUT.nodeGap;
    }
    bands.push({ top: y, bottom: y + height });
    y += height + LAYOUT.rankGap;
  }
  function catchOnly(id: string): number {
    const incoming = edges.filter((e) => e.to === id);
    return incoming.length > 0 && incoming.every((e) => e.kind === "catch") ? 1 : 0;
  }

  const nodes: GraphNode[] = [];
  const allEdges: GraphEdge[] = [];
  for (const id of discovery) {
    const local = locals.get(id) as LocalNode;
    const box = boxes.get(id) as Box;
    nodes.push({
      id,
      label: local.label,
      type: local.type,
      ...box,
      depth,
      parent,
      container: local.children.length > 0,
      distributed: local.distributed,
    });
    // Place a container's sub-graphs side by side under its header.
    let childX =
      box.x +
      (box.width -
        (local.children.reduce((s, g) => s + g.width, 0) + LAYOUT.nodeGap * Math.max(0, local.children.length - 1))) /
        2;
    for (const child of local.children) {
      const dx = childX;
      const dy = box.y + LAYOUT.header;
      for (const node of child.nodes) nodes.push({ ...node, x: node.x + dx, y: node.y + dy });
      for (const edge of child.edges) allEdges.push(translateEdge(edge, dx, dy));
      childX += child.width + LAYOUT.nodeGap;
    }
  }
  const routed = routeEdges(edges, boxes, rowOf, bands, LAYOUT.rankGap);
  edges.forEach((edge, i) => {
    const route = routed.routes[i];
    if (route)
      allEdges.push({
        ...edge,
        path: route.path,
        labelX: route.labelX,
        labelY: route.labelY,
        labelAnchor: route.labelAnchor,
      });
  });
  return { nodes, edges: allEdges, width: Math.max(width, routed.width), height: Math.max(0, y - LAYOUT.rankGap) };
}

function translateEdge(edge: GraphEdge, dx: number, dy: number): GraphEdge {
  const path = edge.path.replace(
    /(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/g,
    (_, x: string, y: string) => `${Number(x) + dx},${Number(y) + dy}`,
  );
  return { ...edge, path, labelX: edge.labelX + dx, labelY: edge.labelY + dy };
}

/** The whole machine with Start and End markers, offset by a small margin so strokes are not clipped. */
export function layoutStateMachine(machine: AslMachine): Graph {
  const graph = layoutMachine(machine, 0, undefined, true);
  const m = LAYOUT.margin;
  return {
    nodes: graph.nodes.map((n) => ({ ...n, x: n.x + m, y: n.y + m })),
    edges: graph.edges.map((e) => translateEdge(e, m, m)),
    width: graph.width + 2 * m,
    height: graph.height + 2 * m,
  };
}

/** Every state in the machine, nested ones included, with its definition. */
export function allStates(machine: AslMachine): Map<string, AslState> {
  const states = new Map<string, AslState>();
  const visit = (m: AslMachine) => {
    for (const [name, state] of Object.entries(m.States)) {
      states.set(name, state);
      for (const sub of subMachines(state)) visit(sub);
    }
  };
  visit(machine);
  return states;
}
