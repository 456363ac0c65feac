import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { useApi } from "../app";
import type { AccountInput, AccountPatch } from "../lib/accountForm";
import { isFinished } from "../lib/risk";
import { ApiError, queryString, type AnomalyParams, type QueryValue } from "./client";
import type { Account, AuditPage, Transaction, TransactionInput, TransactionPatch, Verdict } from "./types";

/** Query keys: every cached read, so writes know what to refresh. */
export const keys = {
  health: ["health"] as const,
  accounts: (params: Record<string, QueryValue>) => ["accounts", params] as const,
  account: (id: string) => ["account", id] as const,
  transactions: (params: Record<string, QueryValue>) => ["transactions", params] as const,
  transaction: (id: string) => ["transaction", id] as const,
  transactionAudit: (id: string) => ["transactionAudit", id] as const,
  anomalies: (params: Record<string, QueryValue>) => ["anomalies", params] as const,
  stats: ["anomalyStats"] as const,
  activity: (since: string) => ["activity", since] as const,
  model: ["model"] as const,
  executions: (params: Record<string, QueryValue>) => ["executions", params] as const,
  execution: (id: string) => ["execution", id] as const,
};

/** Client errors (4xx) are answers, not glitches: retrying them only delays the message. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export function invalidateData(client: QueryClient) {
  for (const key of [
    "accounts",
    "account",
    "transactions",
    "transaction",
    "transactionAudit",
    "anomalies",
    "anomalyStats",
    "activity",
    "model",
  ]) {
    void client.invalidateQueries({ queryKey: [key] });
  }
}

export function useHealth() {
  const api = useApi();
  // Checked often while it fails, so the banner goes as soon as the API is back.
  return useQuery({
    queryKey: keys.health,
    queryFn: () => api.health(),
    refetchInterval: (query) => (query.state.status === "error" ? 5_000 : 30_000),
    retry: false,
  });
}

export function useAccounts(params: Record<string, QueryValue>) {
  const api = useApi();
  return useQuery({
    queryKey: keys.accounts(params),
    queryFn: () => api.listAccounts(params),
    placeholderData: keepPreviousData,
  });
}

export function useAccount(accountId: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.account(accountId), queryFn: () => api.getAccount(accountId) });
}

export function useTransactions(params: Record<string, QueryValue>, options: { enabled?: boolean } = {}) {
  const api = useApi();
  return useQuery({
    queryKey: keys.transactions(params),
    queryFn: () => api.listTransactions(params),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}

export function useTransaction(transactionId: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.transaction(transactionId), queryFn: () => api.getTransaction(transactionId) });
}

export function useAnomalies(params: AnomalyParams) {
  const api = useApi();
  return useQuery({
    queryKey: keys.anomalies(params),
    queryFn: () => api.listAnomalies(params),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}

/** A transaction's audit trail, newest first: its changes and verdicts, a page at a time. */
export function useTransactionAudit(transactionId: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.transactionAudit(transactionId),
    queryFn: ({ pageParam }) =>
      api.request<AuditPage>(
        "GET",
        `/transactions/${encodeURIComponent(transactionId)}/audit${queryString({ cursor: pageParam })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

/** Exact counts since `since`: the overview's tiles. */
export function useActivity(since: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.activity(since), queryFn: () => api.activity(since), refetchInterval: 30_000 });
}

export function useAnomalyStats() {
  const api = useApi();
  return useQuery({ queryKey: keys.stats, queryFn: () => api.anomalyStats(), refetchInterval: 30_000 });
}

export function useModelReport() {
  const api = useApi();
  return useQuery({ queryKey: keys.model, queryFn: () => api.modelReport() });
}

/** The runs list refreshes every few seconds while one of them is running. */
export function useExecutions(params: { cursor?: string; limit?: number }) {
  const api = useApi();
  return useQuery({
    queryKey: keys.executions(params),
    queryFn: () => api.listExecutions(params),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((run) => !isFinished(run.status)) ? 2_000 : 30_000),
  });
}

/**
 * One run, refreshed every two seconds until it has finished. `followUntil` keeps refreshing a finished run
 * for a while: a redriven execution can still read as failed for a moment after the redrive.
 */
export function useExecution(executionId: string, followUntil = 0) {
  const api = useApi();
  return useQuery({
    queryKey: keys.execution(executionId),
    queryFn: () => api.getExecution(executionId),
    refetchInterval: (query) =>
      query.state.data && isFinished(query.state.data.status) && Date.now() > followUntil ? false : 2_000,
  });
}

export function useCreateAccount() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: AccountInput) =>
      api.request<Account>("POST", "/accounts", input, {
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
      }),
    onSuccess: (created) => {
      client.setQueryData(keys.account(created.accountId), created);
      invalidateData(client);
    },
  });
}

export function useUpdateAccount(accountId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: AccountPatch) =>
      api.request<Account>("PATCH", `/accounts/${encodeURIComponent(accountId)}`, patch),
    onSuccess: (updated) => {
      client.setQueryData(keys.account(accountId), updated);
      invalidateData(client);
    },
  });
}

/** Deletes an account; with `cascade` its transactions too (without, the API refuses an account that has any). */
export function useDeleteAccount() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ accountId, cascade }: { accountId: string; cascade: boolean }) =>
      api.request<void>("DELETE", `/accounts/${encodeURIComponent(accountId)}${queryString({ cascade })}`),
    onSuccess: (_, { accountId }) => {
      // Gone: dropped rather than refreshed, so the page it was on does not ask for it again.
      client.removeQueries({ queryKey: keys.account(accountId) });
      invalidateData(client);
    },
  });
}

export function useCreateTransaction() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: TransactionInput) => api.createTransaction(input),
    onSuccess: () => invalidateData(client),
  });
}

export function useUpdateTransaction(transactionId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: TransactionPatch) => api.updateTransaction(transactionId, patch),
    onSuccess: (updated) => {
      client.setQueryData(keys.transaction(transactionId), updated);
      invalidateData(client);
    },
  });
}

export function useDeleteTransaction() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (transactionId: string) => api.deleteTransaction(transactionId),
    onSuccess: () => invalidateData(client),
  });
}

/** Records a verdict; `onRecorded` hears of every one, the transaction as judged. */
export function useRecordFeedback({ onRecorded }: { onRecorded?: (judged: Transaction) => void } = {}) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ transactionId, verdict, note }: { transactionId: string; verdict: Verdict; note?: string }) =>
      api.recordFeedback(transactionId, verdict, note),
    onSuccess: (judged) => {
      onRecorded?.(judged);
      invalidateData(client);
    },
  });
}

export function useStartExecution() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.startExecution(),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["executions"] });
      void client.invalidateQueries({ queryKey: keys.stats });
    },
  });
}

export function useRerunExecution() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (executionId: string) => api.rerunExecution(executionId),
    onSuccess: (_, executionId) => {
      void client.invalidateQueries({ queryKey: ["executions"] });
      void client.invalidateQueries({ queryKey: keys.execution(executionId) });
    },
  });
}
