import type { ExecutionStatus, RiskLevel } from "../api/types";

/** Risk colours: calm for LOW, amber for MEDIUM, red for HIGH; the same everywhere, charts included. */
export const RISK_COLOURS: Record<RiskLevel, string> = {
  LOW: "#4b8f6b",
  MEDIUM: "#d18b1f",
  HIGH: "#c8372d",
};

export const UNSCORED_COLOUR = "#8a94a3";

export function riskColour(level: RiskLevel | null | undefined): string {
  return level ? RISK_COLOURS[level] : UNSCORED_COLOUR;
}

export type Tone = "ok" | "bad" | "busy" | "warn" | "muted";

export function executionTone(status: ExecutionStatus | string | undefined): Tone {
  switch (status) {
    case "SUCCEEDED":
      return "ok";
    case "RUNNING":
      return "busy";
    case "FAILED":
    case "TIMED_OUT":
      return "bad";
    case "ABORTED":
    case "PENDING_REDRIVE":
      return "warn";
    default:
      return "muted";
  }
}

export function isFinished(status: ExecutionStatus | string | undefined): boolean {
  return status !== undefined && status !== "RUNNING" && status !== "PENDING_REDRIVE";
}

export function canRerun(status: ExecutionStatus | string | undefined): boolean {
  return status === "FAILED" || status === "TIMED_OUT" || status === "ABORTED";
}
