/** What each node of the state machine graph shows of a run: its status, drawn in the colours of that status. */
import type { MapRun } from "../api/types";
import { END, START, type Graph, type GraphNode } from "./asl";
import type { ExecutionTrace, StateStatus } from "./history";

/** What a node shows: a state's status, or, inside a Distributed Map, that it ran in the map run's children. */
export type NodeStatus = StateStatus | "inMapRun";

export const STATUS_STYLE: Record<NodeStatus, { fill: string; stroke: string; text: string; label: string }> = {
  succeeded: { fill: "#e3f3e9", stroke: "#2e7d4f", text: "#1f5a38", label: "Succeeded" },
  failed: { fill: "#f9e3e1", stroke: "#c8372d", text: "#8a2019", label: "Failed" },
  caught: { fill: "#fbf0dc", stroke: "#c28422", text: "#7a5011", label: "Caught error" },
  running: { fill: "#e6eef8", stroke: "#2f6db5", text: "#1d4a7d", label: "In progress" },
  aborted: { fill: "#eef1f4", stroke: "#7b8794", text: "#53606f", label: "Cancelled" },
  notReached: { fill: "#ffffff", stroke: "#c5ccd5", text: "#7b8794", label: "Not reached" },
  inMapRun: { fill: "#f4f6f8", stroke: "#9aa5b1", text: "#53606f", label: "In map run" },
};

/** The Distributed Map run a Map state started (its ARN names the state: ".../<Map state>:<id>"). */
export function mapRunOf(stateName: string, mapRuns: MapRun[] | undefined): MapRun | undefined {
  return mapRuns?.find((run) => run.mapRunArn.includes(`/${stateName}:`));
}

/** "2/3 batches, 1 failed": from the map run's item counts, else from the iterations in the history. */
export function batchNote(stateName: string, trace: ExecutionTrace, mapRuns: MapRun[] | undefined): string | undefined {
  const run = mapRunOf(stateName, mapRuns);
  const counts = run?.itemCounts;
  if (counts && typeof counts.total === "number") {
    const failed = (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0);
    return `${counts.succeeded ?? 0}/${counts.total} batches${failed ? `, ${failed} failed` : ""}${counts.running ? `, ${counts.running} running` : ""}`;
  }
  const map = trace.states.get(stateName)?.map;
  if (!map) return undefined;
  return `${map.succeeded}/${map.length ?? map.started} batches${map.failed ? `, ${map.failed} failed` : ""}`;
}

/** The status a node is drawn with; the Start and End markers follow the execution itself. */
export function nodeStatus(node: GraphNode, trace: ExecutionTrace, executionStatus: string, graph: Graph): NodeStatus {
  if (node.id === START) return trace.rows.length ? "succeeded" : "notReached";
  if (node.id === END) {
    if (executionStatus === "SUCCEEDED") return "succeeded";
    if (executionStatus === "FAILED" || executionStatus === "TIMED_OUT") return "failed";
    if (executionStatus === "ABORTED") return "aborted";
    return "notReached";
  }
  const state = trace.states.get(node.id);
  if (state) return state.status;
  const parent = graph.nodes.find((n) => n.id === node.parent);
  if (parent?.distributed && trace.states.has(parent.id)) return "inMapRun";
  return "notReached";
}
