import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { useAnomalies } from "../api/queries";
import type { RiskLevel } from "../api/types";
import { FeedbackButtons } from "../components/feedback";
import { EmptyState, Pager, QueryView, RiskBadge } from "../components/ui";
import { useCursorPager } from "../components/useCursorPager";
import { formatDateTime, formatMoney, formatScore, humanise, shortId } from "../lib/format";

export const Route = createFileRoute("/anomalies")({
  validateSearch: (search: Record<string, unknown>): { minLevel?: RiskLevel } =>
    search.minLevel === "HIGH" ? { minLevel: "HIGH" } : {},
  component: AnomaliesPage,
});

function AnomaliesPage() {
  const { minLevel = "MEDIUM" } = Route.useSearch();
  const navigate = useNavigate({ from: "/anomalies" });
  const pager = useCursorPager(minLevel);
  const query = useAnomalies({ minLevel, cursor: pager.cursor, limit: 50 });

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Anomalies</h1>
          <div className="sub">
            The newest {minLevel === "HIGH" ? "high" : "medium and high"} risk transactions across accounts
          </div>
        </div>
        <div className="tabs" role="tablist" style={{ border: "none", padding: 0 }}>
          {(["MEDIUM", "HIGH"] as const).map((level) => (
            <button
              key={level}
              type="button"
              role="tab"
              aria-selected={minLevel === level}
              className={minLevel === level ? "active" : undefined}
              onClick={() => void navigate({ search: level === "HIGH" ? { minLevel: "HIGH" } : {} })}
            >
              {level === "HIGH" ? "High only" : "Medium and high"}
            </button>
          ))}
        </div>
      </div>
      <section className="panel">
        <QueryView
          query={query}
          loadingRows={8}
          isEmpty={(data) => data.items.length === 0 && !data.nextCursor}
          empty={<EmptyState title="No anomalies">Detection runs score new transactions every few minutes.</EmptyState>}
        >
          {(data) => (
            <>
              <div className="table-wrap">
                <table className="data" data-testid="anomalies-table">
                  <thead>
                    <tr>
                      <th>Time</th>
                      <th className="hide-phone">Account</th>
                      <th className="num hide-phone">Amount</th>
                      <th>Risk</th>
                      <th className="hide-phone">Why it stands out</th>
                      <th>Verdict</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((t) => (
                      <tr key={t.transactionId} data-id={t.transactionId}>
                        <td className="nowrap">
                          <Link to="/transactions/$transactionId" params={{ transactionId: t.transactionId }}>
                            {formatDateTime(t.timestamp)}
                          </Link>
                          <div className="hint">
                            {humanise(t.transactionType)}
                            {t.merchant ? ` · ${t.merchant}` : ""}
                          </div>
                          <div className="hint show-phone">
                            <strong>{formatMoney(t.amount, t.currency)}</strong> · {t.reasons?.join("; ")}
                          </div>
                        </td>
                        <td className="mono hide-phone">
                          <Link to="/accounts/$accountId" params={{ accountId: t.accountId }} title={t.accountId}>
                            {shortId(t.accountId, 8)}
                          </Link>
                        </td>
                        <td className="num hide-phone">{formatMoney(t.amount, t.currency)}</td>
                        <td>
                          <RiskBadge level={t.riskLevel} score={t.riskScore} />
                        </td>
                        <td className="hide-phone" style={{ minWidth: 220 }}>
                          {t.reasons?.length ? (
                            <ul className="reasons">
                              {t.reasons.map((reason) => (
                                <li key={reason}>{reason}</li>
                              ))}
                            </ul>
                          ) : (
                            <span className="muted">score {formatScore(t.riskScore)}</span>
                          )}
                        </td>
                        <td>
                          <FeedbackButtons transaction={t} />
                        </td>
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
