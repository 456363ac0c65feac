import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import type { Transaction } from "../api/types";
import type { SortKey } from "../lib/filters";
import { formatDateTime, formatMoney, humanise, shortId } from "../lib/format";
import { RiskBadge } from "./ui";

export interface SortState {
  sort: SortKey;
  dir: "asc" | "desc";
  onSort: (key: SortKey) => void;
}

function SortHeader({
  label,
  column,
  state,
  className,
}: {
  label: string;
  column: SortKey;
  state?: SortState;
  className?: string;
}) {
  if (!state) return <th className={className}>{label}</th>;
  const active = state.sort === column;
  return (
    <th className={className} aria-sort={active ? (state.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" className="sort" onClick={() => state.onSort(column)}>
        {label}
        <span aria-hidden>{active ? (state.dir === "asc" ? "▲" : "▼") : "↕"}</span>
      </button>
    </th>
  );
}

/** The transactions table every page uses; `showAccount` off on an account's own page. */
export function TransactionsTable({
  items,
  sort,
  showAccount = true,
  highlight,
  extra,
  compact = false,
}: {
  items: Transaction[];
  /** Time, account, amount and risk only, for a narrow panel. */
  compact?: boolean;
  sort?: SortState;
  showAccount?: boolean;
  highlight?: string;
  extra?: { header: string; cell: (t: Transaction) => ReactNode };
}) {
  return (
    <div className="table-wrap">
      <table className="data" data-testid="transactions-table">
        <thead>
          <tr>
            <SortHeader label="Time (local)" column="timestamp" state={sort} />
            {showAccount && <th className="hide-phone">Account</th>}
            {!compact && <th className="hide-phone">Type</th>}
            {!compact && <th className="hide-phone">Merchant</th>}
            <SortHeader label="Amount" column="amount" state={sort} className="num" />
            <SortHeader label="Risk" column="riskScore" state={sort} />
            {!compact && <th className="hide-phone">Reasons</th>}
            {extra && <th>{extra.header}</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr
              key={t.transactionId}
              className={t.transactionId === highlight ? "fresh selected" : undefined}
              data-id={t.transactionId}
            >
              <td className="nowrap">
                <Link to="/transactions/$transactionId" params={{ transactionId: t.transactionId }}>
                  {formatDateTime(t.timestamp)}
                </Link>
              </td>
              {showAccount && (
                <td className="hide-phone mono">
                  <Link to="/accounts/$accountId" params={{ accountId: t.accountId }} title={t.accountId}>
                    {shortId(t.accountId, 8)}
                  </Link>
                </td>
              )}
              {!compact && <td className="hide-phone">{humanise(t.transactionType)}</td>}
              {!compact && (
                <td className="hide-phone truncate" title={t.description ?? undefined}>
                  {t.merchant ?? <span className="muted">—</span>}
                </td>
              )}
              <td className="num">{formatMoney(t.amount, t.currency)}</td>
              <td>
                <RiskBadge level={t.riskLevel} score={t.riskScore} />
              </td>
              {!compact && (
                <td className="hide-phone truncate" title={t.reasons?.join("; ")}>
                  {t.reasons?.length ? t.reasons.join("; ") : <span className="muted">—</span>}
                </td>
              )}
              {extra && <td>{extra.cell(t)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
