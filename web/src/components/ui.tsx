import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { ExecutionStatus, RiskLevel } from "../api/types";
import { describeError } from "../lib/describeError";
import { formatScore, humanise } from "../lib/format";
import { executionTone } from "../lib/risk";

export function RiskBadge({ level, score }: { level?: RiskLevel | null; score?: number | null }) {
  if (!level) {
    return (
      <span className="badge risk-none" title="Not scored yet">
        unscored
      </span>
    );
  }
  return (
    <span className={`badge risk-${level}`} title={`Risk ${level.toLowerCase()}, score ${formatScore(score)}`}>
      {level}
      {score !== undefined && score !== null && <span className="score">{formatScore(score)}</span>}
    </span>
  );
}

export function StatusBadge({ status, testId }: { status: ExecutionStatus | string; testId?: string }) {
  const tone = executionTone(status);
  return (
    <span className={`badge ${tone}`} data-status={status} data-testid={testId}>
      {tone === "busy" && <span className="dot busy" />}
      {humanise(status)}
    </span>
  );
}

export function Loading({ rows = 4, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} style={{ width: `${90 - (i % 3) * 15}%` }} />
      ))}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { title, detail } = describeError(error);
  return (
    <div className="state error" role="alert">
      <div className="title">{title}</div>
      <div>{detail}</div>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state">
      <div className="title">{title}</div>
      {children && <div>{children}</div>}
    </div>
  );
}

/**
 * Renders a query's loading, error and empty states, and the data when there is some. While a refetch
 * fails after data arrived, the data stays and a small note says it may be stale.
 */
export function QueryView<T>({
  query,
  isEmpty,
  empty,
  loadingRows,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingRows?: number;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading rows={loadingRows} />;
  if (query.isError && query.data === undefined)
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  return (
    <>
      {query.isError && (
        <div className="banner warn" style={{ margin: 8 }}>
          Showing earlier data: {describeError(query.error).title.toLowerCase()}.
        </div>
      )}
      {isEmpty?.(data) ? (empty ?? <EmptyState title="Nothing here yet" />) : children(data)}
    </>
  );
}

export function Pager({
  page,
  nextCursor,
  onNext,
  onPrevious,
  count,
  busy,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
  count: number;
  busy?: boolean;
}) {
  return (
    <div className="pager">
      <span>
        Page {page} · {count} shown{count === 0 && nextCursor ? " · more matches may follow" : ""}
        {busy ? " · loading…" : ""}
      </span>
      <span className="actions">
        <button type="button" className="small" onClick={onPrevious} disabled={page <= 1}>
          ← Previous
        </button>
        <button type="button" className="small" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
          Next →
        </button>
      </span>
    </div>
  );
}

export function Stat({
  label,
  value,
  hint,
  tone,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: string;
}) {
  return (
    <div className={`stat ${tone ?? ""}`}>
      <span className="label">{label}</span>
      <span className="value">{value}</span>
      {hint && <span className="hint">{hint}</span>}
    </div>
  );
}

export function Panel({
  title,
  actions,
  children,
  flush,
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  flush?: boolean;
}) {
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>{title}</h2>
        {actions && <div className="actions">{actions}</div>}
      </div>
      <div className={`panel-body ${flush ? "flush" : ""}`}>{children}</div>
    </section>
  );
}
