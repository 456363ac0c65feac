import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import type { Transaction } from "../api/types";
import { formatDateTime, formatMoney, humanise } from "../lib/format";
import { AccountLink, ReasonList } from "./transactionCells";
import { RiskBadge } from "./ui";

/** The transactions table every page uses, newest first as the API lists them; `showAccount` off on an
 * account's own page. */
export function TransactionsTable({
  items,
  showAccount = true,
  highlight,
  extra,
  compact = false,
}: {
  items: Transaction[];
  /** Time, account, amount and risk only, for a narrow panel. */
  compact?: boolean;
  showAccount?: boolean;
  highlight?: string;
  extra?: { header: string; cell: (t: Transaction) => ReactNode };
}) {
  return (
    <div className="table-wrap">
      <table className="data" data-testid="transactions-table">
        <thead>
          <tr>
            <th>Time (local)</th>
            {showAccount && <th className="hide-phone">Account</th>}
            {!compact && <th className="hide-phone">Type</th>}
            {!compact && <th className="hide-phone">Merchant</th>}
            <th className="num">Amount</th>
            <th>Risk</th>
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
                <td className="hide-phone">
                  <AccountLink transaction={t} />
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
                <td className="hide-phone reasons-cell">
                  <ReasonList reasons={t.reasons} />
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
