import { ApiError } from "../api/client";

/** What went wrong, for a person: a title and the detail, from an API error or any other. */
export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof ApiError) {
    if (error.unreachable)
      return {
        title: "The API cannot be reached",
        detail: "Isoflow may be stopped or restarting. This page retries on its own.",
      };
    if (error.status === 404) return { title: "Not found", detail: error.message };
    if (error.status === 401 || error.status === 403) return { title: "Not allowed", detail: error.message };
    return { title: `The API answered ${error.status}`, detail: error.message };
  }
  return { title: "Something went wrong", detail: error instanceof Error ? error.message : String(error) };
}

/** The run a start was refused for (a 409 naming the run in progress), if that is why it was refused. */
export function runInProgress(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const running = (error.body as { executionId?: unknown } | undefined)?.executionId;
  return typeof running === "string" ? running : null;
}
