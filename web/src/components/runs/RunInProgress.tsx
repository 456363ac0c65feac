import { Link } from "@tanstack/react-router";

/** Says that a run is in progress and links to it. */
export function RunInProgress({ executionId }: { executionId: string }) {
  return (
    <span>
      A run is in progress:{" "}
      <Link to="/runs/$executionId" params={{ executionId }} className="mono">
        {executionId}
      </Link>
      . Start another once it has finished.
    </span>
  );
}
