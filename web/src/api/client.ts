import type {
  Account,
  Activity,
  AnomalyStats,
  ErrorBody,
  Execution,
  ExecutionSummary,
  FieldError,
  Health,
  ModelReport,
  Page,
  RiskLevel,
  StartedExecution,
  Transaction,
  TransactionInput,
  TransactionPatch,
  Verdict,
} from "./types";

/** A failed request: `status` 0 means the API could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: FieldError[];
  /** The response body as sent, for answers that are not errors in the documented shape (health's 503). */
  readonly body: unknown;

  constructor(status: number, message: string, fieldErrors: FieldError[] = [], body?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.body = body;
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

export type QueryValue = string | number | boolean | undefined | null;

export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === "object" && body !== null && typeof (body as ErrorBody).message === "string";
}

/** Turns a non-2xx response body into an ApiError, whatever shape the body has. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const fieldErrors = Array.isArray(body.errors)
      ? body.errors.filter((e): e is FieldError => typeof e?.field === "string" && typeof e?.message === "string")
      : [];
    return new ApiError(status, body.message, fieldErrors, body);
  }
  return new ApiError(status, `The API answered HTTP ${status}`, [], body);
}

export type Fetcher = typeof fetch;

export interface ClientOptions {
  baseUrl: string;
  fetcher?: Fetcher;
  /** The signed-in user's ID token, sent as `Authorization: Bearer`; none without sign-in. */
  token?: () => Promise<string | undefined>;
  /** Called when the API answers 401: the token is no longer accepted. */
  onUnauthorized?: () => void;
}

/** GET /anomalies: the work queue, by status (open until a verdict closes it), level, account and time. */
export type AnomalyParams = {
  minLevel?: RiskLevel;
  /** This level only, whatever `minLevel` says. */
  riskLevel?: RiskLevel;
  status?: "open" | "closed";
  accountId?: string;
  /** ISO timestamps, inclusive. */
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
};

export class ApiClient {
  readonly baseUrl: string;
  private readonly fetcher: Fetcher;
  private readonly token?: () => Promise<string | undefined>;
  private readonly onUnauthorized?: () => void;

  constructor({ baseUrl, fetcher, token, onUnauthorized }: ClientOptions) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.fetcher = fetcher ?? ((...args) => fetch(...args));
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  /** The header that signs a request in as the signed-in user; none without sign-in. */
  async authorization(): Promise<Record<string, string>> {
    const token = await this.token?.();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  async request<T>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<T> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(init?.headers as Record<string, string> | undefined),
      ...(await this.authorization()),
    };
    let response: Response;
    try {
      response = await this.fetcher(`${this.baseUrl}${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        ...init,
        headers,
      });
    } catch {
      throw new ApiError(0, "The API cannot be reached. Check that Isoflow is running.", []);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (response.status === 401) this.onUnauthorized?.();
    if (!response.ok) throw errorFromResponse(response.status, parsed);
    return parsed as T;
  }

  health(): Promise<Health> {
    return this.request("GET", "/health");
  }

  listAccounts(params: Record<string, QueryValue> = {}): Promise<Page<Account>> {
    return this.request("GET", `/accounts${queryString(params)}`);
  }

  getAccount(accountId: string): Promise<Account> {
    return this.request("GET", `/accounts/${encodeURIComponent(accountId)}`);
  }

  listTransactions(params: Record<string, QueryValue> = {}): Promise<Page<Transaction>> {
    return this.request("GET", `/transactions${queryString(params)}`);
  }

  getTransaction(transactionId: string): Promise<Transaction> {
    return this.request("GET", `/transactions/${encodeURIComponent(transactionId)}`);
  }

  createTransaction(input: TransactionInput): Promise<Transaction> {
    return this.request("POST", "/transactions", input, {
      headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    });
  }

  updateTransaction(transactionId: string, patch: TransactionPatch): Promise<Transaction> {
    return this.request("PATCH", `/transactions/${encodeURIComponent(transactionId)}`, patch);
  }

  deleteTransaction(transactionId: string): Promise<void> {
    return this.request("DELETE", `/transactions/${encodeURIComponent(transactionId)}`);
  }

  recordFeedback(transactionId: string, verdict: Verdict, note?: string): Promise<Transaction> {
    return this.request("PUT", `/transactions/${encodeURIComponent(transactionId)}/feedback`, {
      verdict,
      ...(note ? { note } : {}),
    });
  }

  listAnomalies(params: AnomalyParams = {}): Promise<Page<Transaction>> {
    return this.request("GET", `/anomalies${queryString({ ...params })}`);
  }

  anomalyStats(): Promise<AnomalyStats> {
    return this.request("GET", "/anomalies/stats");
  }

  activity(since: string): Promise<Activity> {
    return this.request("GET", `/activity${queryString({ since })}`);
  }

  modelReport(): Promise<ModelReport> {
    return this.request("GET", "/model");
  }

  listExecutions(params: { cursor?: string; limit?: number } = {}): Promise<Page<ExecutionSummary>> {
    return this.request("GET", `/executions${queryString({ ...params })}`);
  }

  getExecution(executionId: string): Promise<Execution> {
    return this.request("GET", `/executions/${encodeURIComponent(executionId)}`);
  }

  startExecution(): Promise<StartedExecution> {
    return this.request("POST", "/executions", {});
  }

  rerunExecution(executionId: string): Promise<StartedExecution> {
    return this.request("POST", `/executions/${encodeURIComponent(executionId)}/rerun`, {});
  }
}
