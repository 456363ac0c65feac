import { ApiError } from "../api/client";
import type { Health } from "../api/types";

/** The dependencies a 503 from /api/health names as failing; none when the API did not answer at all. */
export function failingDependencies(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 503) return [];
  const body = error.body as Partial<Health> | undefined;
  return (body?.dependencies ?? []).filter((d) => !d.ok).map((d) => d.name);
}

/** What the banner says when the health check fails: down, degraded (503 naming parts), or answering badly. */
export function healthProblem(error: unknown): { tone: "bad" | "warn"; title: string; detail: string } {
  const failing = failingDependencies(error);
  if (failing.length) {
    return {
      tone: "warn",
      title: "Isoflow is degraded:",
      detail: `${failing.join(", ")} ${failing.length === 1 ? "is" : "are"} not available.`,
    };
  }
  if (error instanceof ApiError && !error.unreachable) {
    return {
      tone: "warn",
      title: `The health check failed (HTTP ${error.status}).`,
      detail: "Pages keep working with what the API answers.",
    };
  }
  return {
    tone: "bad",
    title: "The API is not answering.",
    detail: "Pages show what they last loaded and retry on their own.",
  };
}
