import type { Execution } from "../../api/types";
import type { Graph } from "../../lib/asl";
import type { ExecutionTrace } from "../../lib/history";
import { GraphLegend, StateMachineGraph } from "../StateMachineGraph";
import { EmptyState, Panel } from "../ui";

/** The state machine the run ran, each state coloured by what happened to it; a click selects a state. */
export function StateMachinePanel({
  graph,
  trace,
  execution,
  selected,
  onSelect,
}: {
  graph?: Graph;
  trace: ExecutionTrace;
  execution: Execution;
  selected?: string;
  onSelect: (stateName: string) => void;
}) {
  return (
    <Panel title="State machine" actions={<GraphLegend graph={graph} />} flush>
      <div className="graph-wrap">
        {graph ? (
          <StateMachineGraph
            graph={graph}
            trace={trace}
            executionStatus={execution.status}
            mapRuns={execution.mapRuns}
            selected={selected}
            onSelect={onSelect}
          />
        ) : (
          <EmptyState title="No definition to draw" />
        )}
      </div>
    </Panel>
  );
}
