import type { MapRun } from "../api/types";
import { END, START, type Graph, type GraphNode } from "../lib/asl";
import type { ExecutionTrace } from "../lib/history";
import { STATUS_STYLE, batchNote, nodeStatus, type NodeStatus } from "../lib/nodeStatus";

function nodeNote(node: GraphNode, trace: ExecutionTrace, mapRuns: MapRun[] | undefined): string | undefined {
  if (node.type === "Map") return batchNote(node.id, trace, mapRuns);
  const state = trace.states.get(node.id);
  if (!state) return undefined;
  const parts: string[] = [];
  if (state.entries.length > 1) parts.push(`×${state.entries.length}`);
  if (state.retries) parts.push(`${state.retries} ${state.retries === 1 ? "retry" : "retries"}`);
  return parts.join(" · ") || undefined;
}

const markerName = (id: string) => (id === START ? "Start" : id === END ? "End" : id);

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
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
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
            <rect
              className="box"
              x={node.x}
              y={node.y}
              width={node.width}
              height={node.height}
              rx={8}
              fill={style.fill}
              fillOpacity={0.45}
              stroke={style.stroke}
              strokeDasharray="5 3"
            />
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
        <g
          key={`${edge.from}->${edge.to}-${edge.kind}-${edge.label ?? ""}`}
          className="edge-group"
          data-from={edge.from}
          data-to={edge.to}
        >
          <title>{`${markerName(edge.from)} → ${markerName(edge.to)}${edge.label ? ` (${edge.label})` : ""}`}</title>
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
              <rect
                x={node.x}
                y={node.y}
                width={node.width}
                height={node.height}
                rx={6}
                fill="none"
                stroke={style.stroke}
                strokeWidth={3}
                opacity={0.5}
              >
                <animate attributeName="opacity" values="0.6;0.1;0.6" dur="1.4s" repeatCount="indefinite" />
              </rect>
            )}
            <text
              x={node.x + node.width / 2}
              y={node.y + (marker || !note ? node.height / 2 + 4 : node.height / 2 - 1)}
              textAnchor="middle"
              fill={style.text}
              fontWeight={marker ? 600 : 500}
            >
              {node.label.length > 26 ? `${node.label.slice(0, 25)}…` : node.label}
            </text>
            {note && !marker && (
              <text
                x={node.x + node.width / 2}
                y={node.y + node.height / 2 + 12}
                textAnchor="middle"
                fill={style.text}
                style={{ fontSize: 10.5 }}
              >
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
