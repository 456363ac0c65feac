import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { useAccounts } from "../../api/queries";
import { AdminOnly } from "../../auth/AdminOnly";
import {
  ACCOUNT_SORTS,
  ACCOUNT_TYPES,
  RISK_LEVELS,
  type AccountSort,
  type AccountType,
  type RiskLevel,
  type SortOrder,
} from "../../api/types";
import { SearchBox } from "../../components/SearchBox";
import { EmptyState, Pager, QueryView, RiskBadge } from "../../components/ui";
import { useCursorPager } from "../../components/useCursorPager";
import {
  SEARCH_MAX,
  SORT_LABELS,
  accountQuery,
  defaultOrder,
  parseAccountListSearch,
  sortCaveat,
  type AccountListSearch,
} from "../../lib/accountList";
import { formatAge, formatDateTime, formatMoney, humanise } from "../../lib/format";

export const Route = createFileRoute("/accounts/")({
  validateSearch: parseAccountListSearch,
  component: AccountsPage,
});

const PAGE_SIZE = 50;

function AccountsPage() {
  const search = Route.useSearch();
  const navigate = useNavigate({ from: "/accounts/" });
  const pager = useCursorPager(JSON.stringify(search));
  const query = useAccounts(accountQuery(search, { cursor: pager.cursor, limit: PAGE_SIZE }));
  const { sort = "name", order = defaultOrder(sort) } = search;
  const set = (patch: Partial<AccountListSearch>) =>
    void navigate({ search: (prev) => parseAccountListSearch({ ...prev, ...patch }) });
  const caveat = sortCaveat(search.sort);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Accounts</h1>
          <div className="sub">Balance, risk, last activity and whether a change waits for the next detection run</div>
        </div>
        <AdminOnly>
          <Link to="/accounts/new" className="button primary">
            New account
          </Link>
        </AdminOnly>
      </div>
      <section className="panel">
        <div className="filters">
          <SearchBox
            id="a-search"
            label="Name"
            placeholder="Search by name"
            maxLength={SEARCH_MAX}
            value={search.q ?? ""}
            onSearch={(q) => set({ q: q || undefined })}
          />
          <div className="field">
            <label htmlFor="a-type">Type</label>
            <select
              id="a-type"
              value={search.accountType ?? ""}
              onChange={(e) => set({ accountType: (e.target.value || undefined) as AccountType })}
            >
              <option value="">Any</option>
              {ACCOUNT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {humanise(t)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="a-risk">Risk level</label>
            <select
              id="a-risk"
              value={search.riskLevel ?? ""}
              onChange={(e) => set({ riskLevel: (e.target.value || undefined) as RiskLevel })}
            >
              <option value="">Any</option>
              {RISK_LEVELS.map((level) => (
                <option key={level} value={level}>
                  {humanise(level)}
                </option>
              ))}
            </select>
          </div>
          <label className="field" style={{ flexDirection: "row", alignItems: "center", gap: 6, paddingBottom: 6 }}>
            <input
              type="checkbox"
              checked={!!search.stale}
              onChange={(e) => set({ stale: e.target.checked || undefined })}
            />
            <span className="label">Only waiting to be scored</span>
          </label>
          <div className="field">
            <label htmlFor="a-sort">Sort by</label>
            <select
              id="a-sort"
              value={sort}
              onChange={(e) => set({ sort: e.target.value as AccountSort, order: undefined })}
            >
              {ACCOUNT_SORTS.map((key) => (
                <option key={key} value={key}>
                  {SORT_LABELS[key].label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="a-order">Order</label>
            <select id="a-order" value={order} onChange={(e) => set({ order: e.target.value as SortOrder })}>
              <option value={defaultOrder(sort)}>{SORT_LABELS[sort][defaultOrder(sort)]}</option>
              <option value={defaultOrder(sort) === "asc" ? "desc" : "asc"}>
                {SORT_LABELS[sort][defaultOrder(sort) === "asc" ? "desc" : "asc"]}
              </option>
            </select>
          </div>
        </div>
        {caveat && (
          <div className="banner info list-note" role="note">
            {caveat}
          </div>
        )}
        <QueryView
          query={query}
          loadingRows={8}
          isEmpty={(data) => data.items.length === 0 && !data.nextCursor}
          empty={<EmptyState title={emptyTitle(search)} />}
        >
          {(data) => (
            <>
              <div className="table-wrap">
                <table className="data" data-testid="accounts-table">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th className="hide-phone">Account</th>
                      <th>Type</th>
                      <th className="num">Balance</th>
                      <th>Risk</th>
                      <th className="hide-phone">Status</th>
                      <th className="hide-phone">Last activity</th>
                      <th className="hide-phone">Last scored</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((a) => (
                      <tr key={a.accountId} data-id={a.accountId}>
                        <td>
                          <Link to="/accounts/$accountId" params={{ accountId: a.accountId }}>
                            {a.name}
                          </Link>
                        </td>
                        <td className="mono hide-phone muted">{a.accountId}</td>
                        <td>{humanise(a.accountType)}</td>
                        <td className="num">{formatMoney(a.balance, a.currency)}</td>
                        <td>
                          <RiskBadge level={a.riskLevel} score={a.riskScore} />
                        </td>
                        <td className="hide-phone">
                          {a.isStale ? (
                            <span className="badge warn">waiting for a run</span>
                          ) : (
                            <span className="badge muted">up to date</span>
                          )}
                        </td>
                        <td className="hide-phone nowrap" title={formatDateTime(a.latestAt)}>
                          {formatAge(a.latestAt)}
                        </td>
                        <td className="hide-phone nowrap">{formatAge(a.lastScoredAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
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

function emptyTitle(search: AccountListSearch): string {
  if (search.q) return `No account has a name with a word starting “${search.q}”`;
  if (search.accountType || search.riskLevel || search.stale) return "No accounts match these filters";
  return sortCaveat(search.sort) ? "No accounts in this order yet" : "No accounts yet";
}
