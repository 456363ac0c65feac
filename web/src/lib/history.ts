/**
 * What happened to each state in one execution, read from its Step Functions history: whether it
 * succeeded, failed, caught an error, is running or was never reached; its input, output, timings, retries
 * and, for a Map, how many iterations (batches) ran and how they ended.
 */

import type { ExecutionStatus, HistoryEvent } from "../api/types";
import { parseTime } from "./format";

export type StateStatus = "succeeded" | "failed" | "caught" | "running" | "aborted" | "notReached";

export interface ErrorInfo {
  error?: string;
  cause?: string;
}

/** One visit to a state: one per loop pass or Map iteration. */
export interface StateEntry {
  enteredEventId: number;
  name: string;
  stateType: string;
  enteredAt?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  status: StateStatus;
  /** The last error this visit met: the one that failed it, or the one a Catch handled. */
  lastError?: ErrorInfo;
  /** Task attempts: 1 without retries. */
  attempts: number;
  /** Entered before the execution was redriven; superseded by later visits of the same state. */
  beforeRedrive: boolean;
  map?: MapProgress;
}

export interface MapProgress {
  /** Number of items (batches) the Map iterates over, when the history says. */
  length?: number;
  started: number;
  succeeded: number;
  failed: number;
  aborted: number;
}

export interface StateSummary {
  name: string;
  stateType: string;
  status: StateStatus;
  entries: StateEntry[];
  /** First entry to last exit, across every visit. */
  durationMs?: number;
  retries: number;
  lastError?: ErrorInfo;
  map?: MapProgress;
}

export interface EventRow {
  id: number;
  type: string;
  stateName?: string;
  timestamp?: number;
  /** Since the execution started. */
  elapsedMs?: number;
  /** For a state's exit: how long the visit took. */
  durationMs?: number;
  details?: Record<string, unknown>;
}

export interface ExecutionTrace {
  states: Map<string, StateSummary>;
  rows: EventRow[];
  startedAt?: number;
  /** Why the run failed: the error and cause it ended with, the step that failed first (`stateName`) and, when
   * a Catch led from it to a Fail state, that state (`failState`). */
  failure?: ErrorInfo & { stateName?: string; failState?: string };
  redriven: number;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const SCHEDULED = new Set(["TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"]);
const SUCCEEDED = new Set(["TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded"]);
const EXECUTION_ENDED_BADLY = new Set(["ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"]);

function isStateFailure(type: string): boolean {
  if (EXECUTION_ENDED_BADLY.has(type) || type.startsWith("MapIteration") || type.startsWith("MapRun")) return false;
  return type.endsWith("Failed") || type.endsWith("TimedOut") || type.endsWith("Aborted");
}

const STATUS_WEIGHT: Record<StateStatus, number> = {
  running: 5,
  failed: 4,
  caught: 3,
  aborted: 2,
  succeeded: 1,
  notReached: 0,
};

/** Parallel visits (Map iterations) combine into one status: any running, else any failed, and so on. */
export function combineStatuses(statuses: StateStatus[]): StateStatus {
  return statuses.reduce<StateStatus>(
    (worst, s) => (STATUS_WEIGHT[s] > STATUS_WEIGHT[worst] ? s : worst),
    "notReached",
  );
}

export function traceExecution(events: HistoryEvent[], executionStatus?: ExecutionStatus | string): ExecutionTrace {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const byId = new Map(sorted.map((e) => [e.id, e]));
  const entries = new Map<number, StateEntry>();
  const pendingError = new Map<number, ErrorInfo | undefined>();
  const rows: EventRow[] = [];
  let startedAt: number | undefined;
  let redriven = 0;
  let failure: ExecutionTrace["failure"];
  let endedWith: string | undefined;

  const isOpen = (entry: StateEntry | undefined) => !!entry && entry.exitedAt === undefined && !entry.beforeRedrive;

  /** The nearest open visit up the event's chain that `accept` takes. */
  const ownerUpChain = (event: HistoryEvent, accept: (entry: StateEntry) => boolean): StateEntry | undefined => {
    const seen = new Set<number>();
    let current: HistoryEvent | undefined = event;
    while (current && !seen.has(current.id)) {
      seen.add(current.id);
      const entry = entries.get(current.id);
      if (entry && isOpen(entry) && accept(entry)) return entry;
      current = current.previousEventId ? byId.get(current.previousEventId) : undefined;
    }
    return undefined;
  };
  const latestOpen = (accept: (entry: StateEntry) => boolean): StateEntry | undefined =>
    [...entries.values()].filter((e) => isOpen(e) && accept(e)).pop();
  const owner = (event: HistoryEvent, accept: (entry: StateEntry) => boolean = () => true) =>
    ownerUpChain(event, accept) ?? latestOpen(accept);

  for (const event of sorted) {
    const details = event.details;
    const at = parseTime(event.timestamp);
    const row: EventRow = { id: event.id, type: event.type, timestamp: at, details };
    const type = event.type;

    if (type === "ExecutionStarted") {
      startedAt = at;
    } else if (type === "ExecutionRedriven") {
      redriven += 1;
      for (const entry of entries.values()) entry.beforeRedrive = true;
    } else if (type.endsWith("StateEntered")) {
      const name = text(details?.name) ?? "?";
      const entry: StateEntry = {
        enteredEventId: event.id,
        name,
        stateType: type.slice(0, -"StateEntered".length),
        enteredAt: at,
        input: text(details?.input),
        status: "running",
        attempts: 0,
        beforeRedrive: false,
      };
      entries.set(event.id, entry);
      row.stateName = name;
    } else if (type.endsWith("StateExited")) {
      const name = text(details?.name);
      const entry = owner(event, (e) => e.name === name);
      if (entry) {
        entry.exitedAt = at;
        entry.output = text(details?.output);
        entry.status = pendingError.get(entry.enteredEventId) ? "caught" : "succeeded";
        row.durationMs = at !== undefined && entry.enteredAt !== undefined ? at - entry.enteredAt : undefined;
      }
      row.stateName = name;
    } else if (type.startsWith("MapIteration")) {
      const name = text(details?.name);
      const entry = owner(event, (e) => e.name === name && e.stateType === "Map");
      if (entry?.map) {
        if (type === "MapIterationStarted") entry.map.started += 1;
        else if (type === "MapIterationSucceeded") entry.map.succeeded += 1;
        else if (type === "MapIterationFailed") entry.map.failed += 1;
        else if (type === "MapIterationAborted") entry.map.aborted += 1;
      }
      row.stateName = name;
    } else if (type.startsWith("MapState") || type.startsWith("MapRun") || type.startsWith("ParallelState")) {
      const kind = type.startsWith("Parallel") ? "Parallel" : "Map";
      const entry = owner(event, (e) => e.stateType === kind);
      if (entry) {
        row.stateName = entry.name;
        if (type === "MapStateStarted") {
          const length = typeof details?.length === "number" ? details.length : undefined;
          entry.map = { length, started: 0, succeeded: 0, failed: 0, aborted: 0 };
        }
        if (type.endsWith("Failed") || type.endsWith("Aborted")) {
          pendingError.set(entry.enteredEventId, { error: text(details?.error), cause: text(details?.cause) });
        }
      }
    } else if (EXECUTION_ENDED_BADLY.has(type)) {
      endedWith = type;
      const entry = owner(event);
      const info = { error: text(details?.error), cause: text(details?.cause) };
      failure = { ...info, stateName: entry?.name };
      if (entry && !pendingError.get(entry.enteredEventId)) pendingError.set(entry.enteredEventId, info);
      row.stateName = entry?.name;
    } else if (type === "ExecutionSucceeded") {
      endedWith = type;
    } else {
      const entry = owner(event);
      if (entry) {
        row.stateName = entry.name;
        if (SCHEDULED.has(type)) entry.attempts += 1;
        else if (SUCCEEDED.has(type)) pendingError.set(entry.enteredEventId, undefined);
        else if (isStateFailure(type)) {
          const info = { error: text(details?.error), cause: text(details?.cause) };
          pendingError.set(entry.enteredEventId, info);
          entry.lastError = info;
        }
      }
    }
    if (startedAt !== undefined && at !== undefined) row.elapsedMs = at - startedAt;
    rows.push(row);
  }

  const finished = endedWith ?? (executionStatus && executionStatus !== "RUNNING" ? executionStatus : undefined);
  for (const entry of entries.values()) {
    const error = pendingError.get(entry.enteredEventId);
    if (error) entry.lastError = error;
    if (entry.exitedAt !== undefined) continue;
    if (entry.stateType === "Fail") entry.status = "failed";
    else if (!finished) entry.status = "running";
    else if (finished === "ExecutionSucceeded" || finished === "SUCCEEDED" || entry.stateType === "Succeed") {
      entry.status = "succeeded";
    } else entry.status = error ? "failed" : "aborted";
  }
  if (!failure && finished && finished !== "ExecutionSucceeded" && finished !== "SUCCEEDED") failure = {};
  // A run that ends in a Fail state failed in the step whose error a Catch led there: the first one that failed.
  const failState = failure?.stateName ? [...entries.values()].find((e) => e.name === failure?.stateName) : undefined;
  if (failure && failState?.stateType === "Fail") {
    const origin = [...entries.values()]
      .filter((e) => !e.beforeRedrive && e.stateType !== "Fail" && (e.status === "caught" || e.status === "failed"))
      .sort((a, b) => a.enteredEventId - b.enteredEventId)[0];
    if (origin) failure = { ...failure, stateName: origin.name, failState: failState.name };
  }

  const states = new Map<string, StateSummary>();
  const byName = new Map<string, StateEntry[]>();
  for (const entry of entries.values()) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  for (const [name, all] of byName) {
    const current = all.some((e) => !e.beforeRedrive) ? all.filter((e) => !e.beforeRedrive) : all;
    const entered = current.map((e) => e.enteredAt).filter((t): t is number => t !== undefined);
    const exited = current.map((e) => e.exitedAt).filter((t): t is number => t !== undefined);
    const maps = current.map((e) => e.map).filter((m): m is MapProgress => !!m);
    states.set(name, {
      name,
      stateType: current[0]?.stateType ?? "",
      status: combineStatuses(current.map((e) => e.status)),
      entries: all,
      durationMs: entered.length && exited.length ? Math.max(...exited) - Math.min(...entered) : undefined,
      retries: current.reduce((sum, e) => sum + Math.max(0, e.attempts - 1), 0),
      lastError: [...current].reverse().find((e) => e.lastError)?.lastError,
      map: maps.length ? maps[maps.length - 1] : undefined,
    });
  }

  return { states, rows, startedAt, failure, redriven };
}

/** JSON text shown indented; anything that is not JSON as it is. */
export function prettyJson(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") return JSON.stringify(value, null, 2);
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}
