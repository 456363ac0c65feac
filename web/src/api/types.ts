/**
 * The API's resources as the dashboard reads them: one place for every shape the client sends or receives.
 * Field names are the API's (camelCase, the same as the stored items).
 */

export const RISK_LEVELS = ["LOW", "MEDIUM", "HIGH"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const ACCOUNT_TYPES = ["CHECKING", "SAVINGS", "BUSINESS", "CREDIT"] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export const TRANSACTION_TYPES = ["DEPOSIT", "WITHDRAWAL", "TRANSFER", "PURCHASE", "PAYMENT"] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const CHANNELS = ["CARD_PRESENT", "ONLINE", "ATM", "BANK_TRANSFER"] as const;
export type Channel = (typeof CHANNELS)[number];

export const VERDICTS = ["CONFIRMED", "NOT_FRAUD"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Account {
  accountId: string;
  name: string;
  accountType: AccountType;
  currency: string;
  homeCountry: string;
  balance: number;
  riskScore?: number | null;
  riskLevel?: RiskLevel | null;
  isStale: boolean;
  lastScoredAt?: string | null;
  createdAt: string;
  updatedAt: string;
  version?: number;
}

export interface Feedback {
  verdict: Verdict;
  note?: string | null;
  at: string;
}

export interface Transaction {
  transactionId: string;
  accountId: string;
  transactionType: TransactionType;
  amount: number;
  currency: string;
  description?: string | null;
  merchant?: string | null;
  category?: string | null;
  country?: string | null;
  channel?: Channel | null;
  timestamp: string;
  createdAt: string;
  updatedAt: string;
  features?: Record<string, number> | null;
  riskScore?: number | null;
  riskLevel?: RiskLevel | null;
  isAnomaly?: boolean | null;
  reasons?: string[] | null;
  scoredAt?: string | null;
  modelVersion?: string | null;
  feedback?: Feedback | null;
  /** Generator ground truth, present only when asked for with `include=groundTruth`. */
  injectedAnomaly?: string | null;
}

/** What POST /transactions accepts; PATCH takes any subset except the account. */
export interface TransactionInput {
  accountId: string;
  transactionType: TransactionType;
  amount: number;
  currency?: string;
  description?: string;
  merchant?: string;
  category?: string;
  country?: string;
  channel?: Channel;
  timestamp?: string;
}

export type TransactionPatch = Partial<Omit<TransactionInput, "accountId">>;

export interface DailyRiskCounts {
  date: string;
  LOW?: number;
  MEDIUM?: number;
  HIGH?: number;
}

/** GET /anomalies/stats: scored transactions since `since` (default 30 days). */
export interface AnomalyStats {
  since: string;
  counts: Partial<Record<RiskLevel, number>>;
  /** Scores in ten bins of width 0.1, from 0 to 1. */
  histogram: number[];
  daily: DailyRiskCounts[];
  lastRun: ExecutionSummary | null;
}

export const EXECUTION_STATUSES = [
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "TIMED_OUT",
  "ABORTED",
  "PENDING_REDRIVE",
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** What RecordRun leaves as a run's summary. */
export interface RunSummary {
  /** Stale accounts the run found. */
  accounts: number;
  accountsScored: number;
  accountsCleared: number;
  /** Written to during the run: scored again by the next one. */
  accountsStillStale: number;
  /** Accounts the detector could not score: still stale, scored by the next run. */
  accountsFailed?: number;
  /** The first few accounts that could not be scored and their errors. */
  accountFailures?: { accountId: string; error: string; message: string }[];
  transactionsScored: number;
  riskLevels: Partial<Record<RiskLevel, number>>;
  /** HIGH risk transactions found. */
  anomalies: number;
  batches: number;
  /** The population model the run scored with, as scores name it; "shipped": the cold-start model. */
  populationVersion?: string | null;
  failedBatches: number;
  /** The first few failed batches and their errors. */
  failures: { batch: number; error?: string | null; message?: string | null }[];
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
}

export interface ExecutionSummary {
  executionId: string;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string | null;
  /** Whole seconds, so far for a running run. */
  durationSeconds: number;
  trigger?: string | null;
  /** The run this one reruns, when a rerun started a new execution instead of a redrive. */
  rerunOf?: string | null;
  summary?: RunSummary | null;
}

/** One Step Functions history event: its `…EventDetails` object as `details`. */
export interface HistoryEvent {
  id: number;
  previousEventId?: number | null;
  type: string;
  timestamp: string;
  details: Record<string, unknown>;
  stateName?: string | null;
}

export interface MapRun {
  mapRunArn: string;
  status?: string | null;
  /** Batches by outcome: total, succeeded, failed, running, ... */
  itemCounts: Record<string, number>;
  maxConcurrency?: number | null;
  toleratedFailurePercentage?: number | null;
}

export interface Execution extends ExecutionSummary {
  executionArn: string;
  input?: unknown;
  output?: unknown;
  error?: string | null;
  cause?: string | null;
  redriveCount: number;
  events: HistoryEvent[];
  /** The Distributed Map runs, with their batch counts. */
  mapRuns: MapRun[];
  /** The state machine's Amazon States Language definition (object or JSON text). */
  definition: unknown;
}

export interface StartedExecution {
  executionId: string;
  /** "start"; for a rerun "redrive" (the same execution) or "restart" (a new one). */
  mode: "start" | "redrive" | "restart";
}

export interface DependencyStatus {
  name: string;
  ok: boolean;
  detail?: string | null;
}

export interface Health {
  status: string;
  dependencies: DependencyStatus[];
}

export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorBody {
  message: string;
  errors?: FieldError[];
}
