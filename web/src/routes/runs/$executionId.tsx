import { createFileRoute } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useExecution } from "../../api/queries";
import type { Execution } from "../../api/types";
import { EventsPanel } from "../../components/runs/EventsPanel";
import { FailureCause } from "../../components/runs/FailureCause";
import { RerunOutcome } from "../../components/runs/Rerun";
import { RunHeader } from "../../components/runs/RunHeader";
import { RunSummaryPanel } from "../../components/runs/RunSummaryPanel";
import { StateMachinePanel } from "../../components/runs/StateMachinePanel";
import { StatePanel } from "../../components/runs/StatePanel";
import { useRerun } from "../../components/runs/useRerun";
import { QueryView } from "../../components/ui";
import { allStates, layoutStateMachine, parseDefinition } from "../../lib/asl";
import { traceExecution } from "../../lib/history";
import { batchNote, nodeStatus } from "../../lib/nodeStatus";

export const Route = createFileRoute("/runs/$executionId")({ component: RunPage });

/** How long a redriven run is followed even while it still reads as failed. */
const FOLLOW_REDRIVE_MS = 30_000;

function RunPage() {
  const { executionId } = Route.useParams();
  const [followUntil, setFollowUntil] = useState(0);
  const query = useExecution(executionId, followUntil);
  return (
    <div className="page">
      <QueryView query={query} loadingRows={10}>
        {(execution) => (
          <RunView execution={execution} onRedriven={() => setFollowUntil(Date.now() + FOLLOW_REDRIVE_MS)} />
        )}
      </QueryView>
    </div>
  );
}

/** The run: its graph, the state selected in it, its summary and its events; selecting a state narrows the events. */
function RunView({ execution, onRedriven }: { execution: Execution; onRedriven: () => void }) {
  const rerun = useRerun(execution, onRedriven);
  const [selected, setSelected] = useState<string>();
  const machine = useMemo(() => parseDefinition(execution.definition), [execution.definition]);
  const graph = useMemo(() => (machine ? layoutStateMachine(machine) : undefined), [machine]);
  const trace = useMemo(() => traceExecution(execution.events, execution.status), [execution.events, execution.status]);
  const selectedNode = graph?.nodes.find((node) => node.id === selected);

  return (
    <>
      <RunHeader execution={execution} rerun={rerun} />
      <RerunOutcome rerun={rerun} />
      <FailureCause execution={execution} trace={trace} />

      <div className="run-layout">
        <StateMachinePanel
          graph={graph}
          trace={trace}
          execution={execution}
          selected={selected}
          onSelect={setSelected}
        />
        <div style={{ display: "flex", flexDirection: "column", gap: 16 }}>
          <StatePanel
            name={selected}
            summary={selected ? trace.states.get(selected) : undefined}
            type={selected && machine ? allStates(machine).get(selected)?.Type : undefined}
            status={selectedNode && graph ? nodeStatus(selectedNode, trace, execution.status, graph) : undefined}
            batches={selected ? batchNote(selected, trace, execution.mapRuns) : undefined}
          />
          <RunSummaryPanel execution={execution} />
        </div>
      </div>

      <EventsPanel
        trace={trace}
        eventCount={execution.events.length}
        selected={selected}
        onShowAll={() => setSelected(undefined)}
      />
    </>
  );
}
