import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { useAccounts } from "../../api/queries";
import { AdminOnly } from "../../auth/AdminOnly";
import { ACCOUNT_TYPES, RISK_LEVELS, type AccountType, type RiskLevel } from "../../api/types";
import { EmptyState, Pager, QueryView, RiskBadge } from "../../components/ui";
import { useCursorPager } from "../../components/useCursorPager";
import { formatAge, formatMoney, humanise } from "../../lib/format";

interface AccountsSearch {
  accountType?: AccountType;
  riskLevel?: RiskLevel;
  stale?: boolean;
}

export const Route = createFileRoute("/accounts/")({
  validateSearch: (search: Record<string, unknown>): AccountsSearch => {
    const result: AccountsSearch = {};
    if (ACCOUNT_TYPES.includes(search.accountType as AccountType))
      result.accountType = search.accountType as AccountType;
    if (RISK_LEVELS.includes(search.riskLevel as RiskLevel)) result.riskLevel = search.riskLevel as RiskLevel;
    if (search.stale === true || search.stale === "true") result.stale = true;
    return result;
  },
  component: AccountsPage,
});

function AccountsPage() {
  const search = Route.useSearch();
  const navigate = useNavigate({ from: "/accounts/" });
  const pager = useCursorPager(JSON.stringify(search));
  const query = useAccounts({ ...search, cursor: pager.cursor, limit: 50 });
  const filtered = Object.keys(search).length > 0;
  const set = (patch: Partial<AccountsSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch }) });

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Accounts</h1>
          <div className="sub">Balance, risk and whether a change waits for the next detection run</div>
        </div>
        <AdminOnly>
          <Link to="/accounts/new" className="button primary">
            New account
          </Link>
        </AdminOnly>
      </div>
      <section className="panel">
        <div className="filters">
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
        </div>
        <QueryView
          query={query}
          loadingRows={8}
          isEmpty={(data) => data.items.length === 0 && !data.nextCursor}
          empty={<EmptyState title={filtered ? "No accounts match these filters" : "No accounts yet"} />}
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
                      <th className="hide-phone">Last scored</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((a) => (
                      <tr key={a.accountId}>
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
