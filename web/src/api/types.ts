/**
 * The API's resources as the dashboard reads them, named for the app. Every shape comes from the API's OpenAPI
 * document (web/openapi.json, written from the API's pydantic models by `make web-types`), through the types
 * openapi-typescript generates from it (schema.gen.ts): a field renamed in the API fails the type check here.
 */
import {
  accountSortValues,
  accountTypeValues,
  channelValues,
  riskLevelValues,
  runStatusValues,
  sortOrderValues,
  transactionTypeValues,
  verdictValues,
  type components,
} from "./schema.gen";

type Schemas = components["schemas"];

export type RiskLevel = Schemas["RiskLevel"];
export type AccountType = Schemas["AccountType"];
export type TransactionType = Schemas["TransactionType"];
export type Channel = Schemas["Channel"];
export type Verdict = Schemas["Verdict"];
export type ExecutionStatus = Schemas["RunStatus"];

// Every value of each enum, in the API's order, for the dashboard's selects and URL parsing.
export const RISK_LEVELS = riskLevelValues;
export const ACCOUNT_TYPES = accountTypeValues;
export const TRANSACTION_TYPES = transactionTypeValues;
export const CHANNELS = channelValues;
export const VERDICTS = verdictValues;
export const EXECUTION_STATUSES = runStatusValues;
export const ACCOUNT_SORTS = accountSortValues;
export const SORT_ORDERS = sortOrderValues;

export type Account = Schemas["Account"];
export type Feedback = Schemas["Feedback"];
export type Transaction = Schemas["Transaction"];
/** How the Accounts list can be ordered, and each way's direction. */
export type AccountSort = Schemas["AccountSort"];
export type SortOrder = Schemas["SortOrder"];
/** One entry of an audit trail: who changed an account or transaction, or gave a verdict, and when. */
export type AuditEntry = Schemas["AuditEntry"];
export type AuditPage = Schemas["Page_AuditEntry_"];

/** What POST /transactions accepts. */
export type TransactionInput = Schemas["TransactionCreate"];
/** What PATCH /transactions/{id} accepts: any of the fields but the account. */
export type TransactionPatch = Schemas["TransactionUpdate"];

/** A page of a listing: every listing has one page schema, its items and the cursor of the next page. */
export type Page<T> = Extract<
  Schemas["Page_Account_"] | Schemas["Page_Transaction_"] | Schemas["Page_Run_"],
  { items: T[] }
>;

/** What RecordRun leaves as a run's summary. */
export type RunSummary = Schemas["RunSummary"];
export type ExecutionSummary = Schemas["Run"];
/** One Step Functions history event: its `…EventDetails` object as `details`. */
export type HistoryEvent = Schemas["RunEvent"];
/** A Distributed Map run, with its batches by outcome (total, succeeded, failed, running, ...). */
export type MapRun = Omit<Schemas["MapRun"], "itemCounts"> & { itemCounts: Record<string, number> };
/** One run with its history, its Distributed Map runs and the definition of the state machine it ran. */
export type Execution = Omit<Schemas["RunDetail"], "mapRuns"> & { mapRuns: MapRun[] };
/** How a start or a rerun went: "start"; for a rerun "redrive" (the same execution) or "restart" (a new one). */
export type StartedExecution = Schemas["RunStarted"];

/** Scored transactions of one UTC day, by risk level. */
export type DailyRiskCounts = { date: string } & Partial<Record<RiskLevel, number>>;

/** Exact counts since a time: the overview's tiles. */
export type Activity = Schemas["Activity"];

/**
 * GET /anomalies/stats: scored transactions since `since` (default 30 days). The API's schema leaves the
 * counts, the days and the last run open (JSON objects); these are what it puts there.
 */
export type AnomalyStats = Omit<Schemas["AnomalyStats"], "counts" | "daily" | "lastRun"> & {
  counts: Partial<Record<RiskLevel, number>>;
  daily: DailyRiskCounts[];
  lastRun?: ExecutionSummary | null;
};

/** GET /model: the models that judge new scores, what they learnt from, and how alerts hold up against verdicts. */
export type ModelReport = Schemas["ModelReport"];
/** Of one week's transactions scored at one alert level, those reviewed and those confirmed as fraud. */
export type AlertPrecision = Schemas["AlertPrecision"];
/** Reviewed transactions by verdict, in ten score bins of 0.1. */
export type ScoreDistribution = Schemas["ScoreDistribution"];

export type DependencyStatus = Schemas["DependencyStatus"];
export type Health = Schemas["Health"];

export type FieldError = Schemas["FieldError"];
/** The body of every error the API answers: a message, and the fields it names. */
export type ErrorBody = Schemas["ErrorBody"];
