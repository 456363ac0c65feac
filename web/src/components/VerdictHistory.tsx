import { useTransactionAudit } from "../api/queries";
import { VERDICT_LABELS, formatAge, formatDateTime } from "../lib/format";
import { verdictHistory } from "../lib/verdictHistory";
import { EmptyState, QueryView } from "./ui";

/** Every verdict given on a transaction, newest first, from its audit trail: a changed verdict keeps the earlier. */
export function VerdictHistory({ transactionId }: { transactionId: string }) {
  const audit = useTransactionAudit(transactionId);
  return (
    <QueryView query={audit} loadingRows={2}>
      {(data) => {
        const given = verdictHistory(data.pages.flatMap((page) => page.items));
        return (
          <>
            {given.length === 0 && !audit.hasNextPage ? (
              <EmptyState title="No verdict yet" />
            ) : (
              <ol className="verdict-history" data-testid="verdict-history">
                {given.map((v) => (
                  <li key={`${v.at}-${v.verdict}`} data-verdict={v.verdict}>
                    <span className={`badge ${v.verdict === "CONFIRMED" ? "bad" : "ok"}`}>
                      {VERDICT_LABELS[v.verdict]}
                    </span>{" "}
                    <time dateTime={v.at} title={formatAge(v.at)}>
                      {formatDateTime(v.at)}
                    </time>{" "}
                    by <strong>{v.by}</strong>
                    {v.knownAt && <span className="hint"> · known {formatDateTime(v.knownAt)}</span>}
                    {v.note && <div className="note">“{v.note}”</div>}
                  </li>
                ))}
              </ol>
            )}
            {audit.hasNextPage && (
              <button
                type="button"
                className="small"
                disabled={audit.isFetchingNextPage}
                onClick={() => void audit.fetchNextPage()}
              >
                {audit.isFetchingNextPage ? "Loading…" : "Older entries"}
              </button>
            )}
          </>
        );
      }}
    </QueryView>
  );
}
