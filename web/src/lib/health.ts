import { ApiError } from "../api/client";
import type { Health } from "../api/types";

/** The dependencies a 503 from /api/health names as failing; none when the API did not answer at all. */
export function failingDependencies(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 503) return [];
  const body = error.body as Partial<Health> | undefined;
  return (body?.dependencies ?? []).filter((d) => !d.ok).map((d) => d.name);
}
