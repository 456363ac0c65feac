import { Link } from "@tanstack/react-router";
import type { Transaction } from "../api/types";
import { shortId } from "../lib/format";

/** Whose transaction it is: the account's name as the link, its home country and short id beside it. */
export function AccountLink({ transaction: t, full = false }: { transaction: Transaction; full?: boolean }) {
  const id = full ? t.accountId : shortId(t.accountId, 8);
  return (
    <span className="account-link">
      <Link to="/accounts/$accountId" params={{ accountId: t.accountId }} title={t.accountId}>
        {t.accountName ?? id}
      </Link>
      <span className="hint" data-testid="account-hint">
        {t.homeCountry && <abbr title="Home country">{t.homeCountry}</abbr>}
        {t.homeCountry && t.accountName && " · "}
        {t.accountName && <span className="mono">{id}</span>}
      </span>
    </span>
  );
}

/** Why a transaction stands out, strongest first, each reason in full. */
export function ReasonList({ reasons }: { reasons: readonly string[] | null | undefined }) {
  if (!reasons?.length) return <span className="muted">—</span>;
  return (
    <ul className="reasons">
      {reasons.map((reason) => (
        <li key={reason}>{reason}</li>
      ))}
    </ul>
  );
}
