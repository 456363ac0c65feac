import { createFileRoute, useNavigate, type SearchSchemaInput } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useAnomalies } from "../api/queries";
import type { Transaction } from "../api/types";
import { EmptyState, Pager, QueryView } from "../components/ui";
import { useCursorPager } from "../components/useCursorPager";
import { WorkQueue } from "../components/WorkQueue";
import {
  QUEUE_LEVELS,
  QUEUE_STATUSES,
  anomalyQuery,
  parseQueueFilters,
  queueStatus,
  type QueueFilters,
  type QueueLevel,
  type QueueSearch,
  type QueueStatus,
} from "../lib/queueFilters";
import { humanise } from "../lib/format";
import { queueRows } from "../lib/queueRows";
import { DateRangeFields } from "../components/DateRangeFields";

export const Route = createFileRoute("/anomalies")({
  validateSearch: (search: QueueSearch & SearchSchemaInput) => parseQueueFilters(search),
  component: AnomaliesPage,
});

const PAGE_SIZE = 50;

const STATUS_TABS: Record<QueueStatus, string> = { open: "Open", closed: "Closed", all: "All" };
const STATUS_TEXT: Record<QueueStatus, string> = {
  open: "waiting for a verdict",
  closed: "with a verdict",
  all: "with a verdict or waiting for one",
};
const LEVEL_TEXT: Record<QueueLevel | "both", string> = { both: "Medium and high", HIGH: "High", MEDIUM: "Medium" };

function AnomaliesPage() {
  const filters = Route.useSearch();
  const navigate = useNavigate({ from: "/anomalies" });
  const status = queueStatus(filters);
  const listing = JSON.stringify(filters);
  const pager = useCursorPager(listing);
  const query = useAnomalies(anomalyQuery(filters, { cursor: pager.cursor, limit: PAGE_SIZE }));
  const [judged, setJudged] = useJudgedHere(`${listing}|${pager.page}`);
  const [startAtEnd, setStartAtEnd] = useState(false);

  const setFilters = (next: QueueFilters) => void navigate({ search: next });
  const nextPage = (cursor: string, atEnd = false) => {
    setStartAtEnd(atEnd);
    pager.next(cursor);
  };
  const previousPage = (atEnd = false) => {
    setStartAtEnd(atEnd);
    pager.previous();
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Anomalies</h1>
          <div className="sub">
            {LEVEL_TEXT[filters.level ?? "both"]} risk transactions {STATUS_TEXT[status]}, newest first
          </div>
        </div>
      </div>
      <section className="panel">
        <div className="tabs" role="tablist" aria-label="Status">
          {QUEUE_STATUSES.map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={status === value}
              className={status === value ? "active" : undefined}
              onClick={() => setFilters({ ...filters, status: value === "open" ? undefined : value })}
            >
              {STATUS_TABS[value]}
            </button>
          ))}
        </div>
        <QueueFilterBar key={listing} filters={filters} onChange={setFilters} />
        <QueryView
          query={query}
          loadingRows={8}
          isEmpty={(data) => data.items.length === 0 && judged.length === 0 && !data.nextCursor}
          empty={<QueueEmpty filters={filters} onClear={() => setFilters({ status: filters.status })} />}
        >
          {(data) => (
            <>
              <WorkQueue
                key={`${listing}|${pager.page}`}
                items={data.items}
                judgedHere={judged}
                onJudged={setJudged}
                dimJudged={status === "open"}
                startAtEnd={startAtEnd}
                onNextPage={data.nextCursor ? () => nextPage(data.nextCursor as string) : undefined}
                onPreviousPage={pager.page > 1 ? () => previousPage(true) : undefined}
              />
              <Pager
                page={pager.page}
                count={queueRows(data.items, judged).length}
                nextCursor={data.nextCursor}
                onNext={(cursor) => nextPage(cursor)}
                onPrevious={() => previousPage()}
                busy={query.isFetching}
              />
            </>
          )}
        </QueryView>
      </section>
    </div>
  );
}

/** What an empty queue says: cleared, or nothing matching the filters. */
function QueueEmpty({ filters, onClear }: { filters: QueueFilters; onClear: () => void }) {
  const { status = "open", ...narrowed } = filters;
  if (Object.keys(narrowed).length > 0) {
    return (
      <EmptyState title="Nothing matches these filters">
        <button type="button" className="link" onClick={onClear}>
          Clear the filters
        </button>
      </EmptyState>
    );
  }
  if (status === "open") {
    return (
      <EmptyState title="The queue is clear">
        Nothing waits for a verdict. Detection runs score new transactions every few minutes.
      </EmptyState>
    );
  }
  return <EmptyState title={status === "closed" ? "No verdicts yet" : "No anomalies yet"} />;
}

/** The items judged on this page of this listing, as judged: another page or other filters start afresh. */
function useJudgedHere(listing: string): [Transaction[], (judged: Transaction) => void] {
  const [state, setState] = useState({ listing, items: [] as Transaction[] });
  if (state.listing !== listing) setState({ listing, items: [] });
  const add = (judged: Transaction) =>
    setState((prev) => ({
      listing: prev.listing,
      items: [...prev.items.filter((t) => t.transactionId !== judged.transactionId), judged],
    }));
  return [state.listing === listing ? state.items : [], add];
}

/**
 * Level, account and days edit a draft; Apply (or Enter) puts them in the URL, so a view of the queue can be
 * shared. The bar is keyed by the applied filters, so the draft starts over whenever they change.
 */
function QueueFilterBar({ filters, onChange }: { filters: QueueFilters; onChange: (next: QueueFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const set = (patch: Partial<QueueFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(parseQueueFilters({ ...draft }));
  };
  const { status, ...narrowed } = filters;
  return (
    <form className="filters" onSubmit={submit} aria-label="Filters">
      <div className="field">
        <label htmlFor="q-level">Risk level</label>
        <select
          id="q-level"
          value={draft.level ?? ""}
          onChange={(e) => set({ level: (e.target.value || undefined) as QueueLevel | undefined })}
        >
          <option value="">Medium and high</option>
          {QUEUE_LEVELS.map((level) => (
            <option key={level} value={level}>
              {humanise(level)} only
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="q-account">Account</label>
        <input
          id="q-account"
          placeholder="acc_…"
          value={draft.accountId ?? ""}
          onChange={(e) => set({ accountId: e.target.value || undefined })}
          size={22}
        />
      </div>
      <DateRangeFields prefix="q" from={draft.from} to={draft.to} onChange={set} />
      <div className="actions">
        <button type="submit" className="primary">
          Apply
        </button>
        {Object.keys(narrowed).length > 0 && (
          <button type="button" onClick={() => onChange({ status })}>
            Clear
          </button>
        )}
      </div>
    </form>
  );
}
