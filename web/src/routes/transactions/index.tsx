import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useState, type FormEvent } from "react";
import { useTransactions } from "../../api/queries";
import { RISK_LEVELS, TRANSACTION_TYPES } from "../../api/types";
import { TransactionsTable } from "../../components/tables";
import { EmptyState, Pager, QueryView } from "../../components/ui";
import { useCursorPager } from "../../components/useCursorPager";
import { hasFilters, parseTransactionFilters, transactionQuery, type TransactionFilters } from "../../lib/filters";
import { humanise } from "../../lib/format";
import { DateRangeFields } from "../../components/DateRangeFields";

interface TransactionsSearch extends TransactionFilters {
  /** A transaction just created: highlighted and announced. */
  created?: string;
}

export const Route = createFileRoute("/transactions/")({
  validateSearch: (search: Record<string, unknown>): TransactionsSearch => ({
    ...parseTransactionFilters(search),
    ...(typeof search.created === "string" ? { created: search.created } : {}),
  }),
  component: TransactionsPage,
});

const PAGE_SIZE = 50;

function TransactionsPage() {
  const search = Route.useSearch();
  const navigate = useNavigate({ from: "/transactions/" });
  const { created, ...filters } = search;
  const pager = useCursorPager(JSON.stringify(filters));
  const query = useTransactions(transactionQuery(filters, { cursor: pager.cursor, limit: PAGE_SIZE }));

  const setFilters = (next: TransactionFilters) => void navigate({ search: next });

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Transactions</h1>
          <div className="sub">Every transaction, newest first</div>
        </div>
        <AdminOnly>
          <Link
            to="/transactions/new"
            search={filters.accountId ? { accountId: filters.accountId } : {}}
            className="button primary"
          >
            New transaction
          </Link>
        </AdminOnly>
      </div>
      {created && (
        <div className="banner ok" role="status">
          <span>
            Transaction{" "}
            <Link to="/transactions/$transactionId" params={{ transactionId: created }} className="mono">
              {created}
            </Link>{" "}
            created. Its account is now waiting for the next detection run.
          </span>
        </div>
      )}
      <section className="panel">
        <FilterBar key={JSON.stringify(filters)} filters={filters} onChange={setFilters} />
        <QueryView
          query={query}
          loadingRows={8}
          isEmpty={(data) => data.items.length === 0 && !data.nextCursor}
          empty={
            <EmptyState title={hasFilters(filters) ? "No transactions match these filters" : "No transactions yet"}>
              {hasFilters(filters) ? (
                <button type="button" className="link" onClick={() => setFilters({})}>
                  Clear the filters
                </button>
              ) : (
                <AdminOnly>
                  <Link to="/transactions/new">Create the first one</Link>
                </AdminOnly>
              )}
            </EmptyState>
          }
        >
          {(data) => (
            <>
              <TransactionsTable items={data.items} highlight={created} />
              <Pager
                page={pager.page}
                count={data.items.length}
                nextCursor={data.nextCursor}
                onNext={pager.next}
                onPrevious={pager.previous}
                busy={query.isFetching}
              />
            </>
          )}
        </QueryView>
      </section>
    </div>
  );
}

/**
 * Filters edit a draft; Apply (or Enter) puts them in the URL, so a filtered view can be shared. The bar is
 * keyed by the applied filters, so the draft starts over whenever they change.
 */
function FilterBar({
  filters,
  onChange,
}: {
  filters: TransactionFilters;
  onChange: (next: TransactionFilters) => void;
}) {
  const [draft, setDraft] = useState(filters);
  const set = (patch: Partial<TransactionFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(
      parseTransactionFilters({
        ...draft,
        minScore: draft.minScore === undefined ? undefined : String(draft.minScore),
      }),
    );
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filters">
      <div className="field">
        <label htmlFor="f-account">Account</label>
        <input
          id="f-account"
          placeholder="acc_…"
          value={draft.accountId ?? ""}
          onChange={(e) => set({ accountId: e.target.value || undefined })}
          size={22}
        />
      </div>
      <div className="field">
        <label htmlFor="f-type">Type</label>
        <select
          id="f-type"
          value={draft.transactionType ?? ""}
          onChange={(e) =>
            set({ transactionType: (e.target.value || undefined) as TransactionFilters["transactionType"] })
          }
        >
          <option value="">Any</option>
          {TRANSACTION_TYPES.map((t) => (
            <option key={t} value={t}>
              {humanise(t)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-risk">Risk level</label>
        <select
          id="f-risk"
          value={draft.riskLevel ?? ""}
          onChange={(e) => set({ riskLevel: (e.target.value || undefined) as TransactionFilters["riskLevel"] })}
        >
          <option value="">Any</option>
          {RISK_LEVELS.map((level) => (
            <option key={level} value={level}>
              {humanise(level)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-score">Min score</label>
        <input
          id="f-score"
          type="number"
          min={0}
          max={1}
          step={0.05}
          style={{ width: 80 }}
          value={draft.minScore ?? ""}
          onChange={(e) => set({ minScore: e.target.value === "" ? undefined : Number(e.target.value) })}
        />
      </div>
      <DateRangeFields prefix="f" from={draft.from} to={draft.to} onChange={set} />
      <div className="actions">
        <button type="submit" className="primary">
          Apply
        </button>
        {hasFilters(filters) && (
          <button type="button" onClick={() => onChange({})}>
            Clear
          </button>
        )}
      </div>
    </form>
  );
}
