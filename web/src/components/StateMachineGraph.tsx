import type { MapRun } from "../api/types";
import { END, START, type Graph, type GraphNode } from "../lib/asl";
import type { ExecutionTrace, StateStatus } from "../lib/history";

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

function nodeNote(node: GraphNode, trace: ExecutionTrace, mapRuns: MapRun[] | undefined): string | undefined {
  if (node.type === "Map") return batchNote(node.id, trace, mapRuns);
  const state = trace.states.get(node.id);
  if (!state) return undefined;
  const parts: string[] = [];
  if (state.entries.length > 1) parts.push(`×${state.entries.length}`);
  if (state.retries) parts.push(`${state.retries} ${state.retries === 1 ? "retry" : "retries"}`);
  return parts.join(" · ") || undefined;
}

export function StateMachineGraph({
  graph,
  trace,
  executionStatus,
  mapRuns,
  selected,
  onSelect,
}: {
  graph: Graph;
  trace: ExecutionTrace;
  executionStatus: string;
  mapRuns?: MapRun[];
  selected?: string;
  onSelect: (stateName: string) => void;
}) {
  const containers = graph.nodes.filter((n) => n.container);
  const leaves = graph.nodes.filter((n) => !n.container);
  const select = (node: GraphNode) => {
    if (node.id !== START && node.id !== END) onSelect(node.id);
  };
  return (
    <svg
      className="graph"
      width={graph.width}
      height={graph.height}
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      role="img"
      aria-label="State machine graph"
      data-testid="state-graph"
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#9aa5b1" />
        </marker>
      </defs>
      {containers.map((node) => {
        const status = nodeStatus(node, trace, executionStatus, graph);
        const style = STATUS_STYLE[status];
        const note = nodeNote(node, trace, mapRuns);
        return (
          <g
            key={node.id}
            className={`node container ${selected === node.id ? "selected" : ""}`}
            data-state={node.id}
            data-status={status}
            onClick={() => select(node)}
            role="button"
            tabIndex={0}
            onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && select(node)}
          >
            <title>{`${node.label} (${node.type}): ${style.label}${note ? `, ${note}` : ""}`}</title>
            <rect className="box" x={node.x} y={node.y} width={node.width} height={node.height} rx={8} fill={style.fill} fillOpacity={0.45} stroke={style.stroke} strokeDasharray="5 3" />
            <text className="container-label" x={node.x + 10} y={node.y + 16} fill={style.text}>
              {node.label} · {node.distributed ? "Distributed Map" : node.type}
            </text>
            {note && (
              <text x={node.x + 10} y={node.y + 30} fill={style.text} style={{ fontSize: 10.5 }}>
                {note}
              </text>
            )}
          </g>
        );
      })}
      {graph.edges.map((edge) => (
        <g key={`${edge.from}->${edge.to}-${edge.kind}-${edge.label ?? ""}`}>
          <path className={`edge ${edge.kind}`} d={edge.path} markerEnd="url(#arrow)" />
          {edge.label && edge.kind !== "catch" && (
            <text className="edge-label" x={edge.labelX} y={edge.labelY} textAnchor={edge.labelAnchor}>
              {edge.label.length > 28 ? `${edge.label.slice(0, 27)}…` : edge.label}
            </text>
          )}
        </g>
      ))}
      {leaves.map((node) => {
        const status = nodeStatus(node, trace, executionStatus, graph);
        const style = STATUS_STYLE[status];
        const marker = node.id === START || node.id === END;
        const note = nodeNote(node, trace, mapRuns);
        return (
          <g
            key={node.id}
            className={`node ${selected === node.id ? "selected" : ""}`}
            data-state={node.id}
            data-status={status}
            onClick={() => select(node)}
            role={marker ? undefined : "button"}
            tabIndex={marker ? undefined : 0}
            onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && select(node)}
          >
            <title>{`${node.label}${marker ? "" : ` (${node.type})`}: ${style.label}${note ? `, ${note}` : ""}`}</title>
            <rect
              className="box"
              x={node.x}
              y={node.y}
              width={node.width}
              height={node.height}
              rx={marker ? node.height / 2 : 6}
              fill={style.fill}
              stroke={style.stroke}
              strokeDasharray={status === "inMapRun" ? "4 3" : undefined}
            />
            {status === "running" && !marker && (
              <rect x={node.x} y={node.y} width={node.width} height={node.height} rx={6} fill="none" stroke={style.stroke} strokeWidth={3} opacity={0.5}>
                <animate attributeName="opacity" values="0.6;0.1;0.6" dur="1.4s" repeatCount="indefinite" />
              </rect>
            )}
            <text x={node.x + node.width / 2} y={node.y + (marker || !note ? node.height / 2 + 4 : node.height / 2 - 1)} textAnchor="middle" fill={style.text} fontWeight={marker ? 600 : 500}>
              {node.label.length > 26 ? `${node.label.slice(0, 25)}…` : node.label}
            </text>
            {note && !marker && (
              <text x={node.x + node.width / 2} y={node.y + node.height / 2 + 12} textAnchor="middle" fill={style.text} style={{ fontSize: 10.5 }}>
                {note}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function GraphLegend({ graph }: { graph?: Graph }) {
  const distributed = graph?.nodes.some((n) => n.distributed);
  const shown = (Object.keys(STATUS_STYLE) as NodeStatus[]).filter((status) => status !== "inMapRun" || distributed);
  return (
    <div className="legend" aria-label="Legend">
      {shown.map((status) => (
        <span key={status}>
          <i style={{ background: STATUS_STYLE[status].fill, borderColor: STATUS_STYLE[status].stroke }} />
          {STATUS_STYLE[status].label}
        </span>
      ))}
    </div>
  );
}
