import { useRecordFeedback } from "../api/queries";
import type { Transaction, Verdict } from "../api/types";
import { verdictGiven } from "../lib/format";
import { describeError } from "../lib/describeError";

const LABELS: Record<Verdict, string> = { CONFIRMED: "Confirmed fraud", NOT_FRAUD: "Not fraud" };

/** An analyst's verdict on a flagged transaction: shown when given, changeable, recorded with the transaction. */
export function FeedbackButtons({ transaction }: { transaction: Transaction }) {
  const record = useRecordFeedback();
  const current = transaction.feedback?.verdict;
  const pending = record.isPending ? record.variables?.verdict : undefined;
  const mark = (verdict: Verdict) => record.mutate({ transactionId: transaction.transactionId, verdict });
  return (
    <span className="actions" data-testid={`feedback-${transaction.transactionId}`}>
      {current && (
        <span
          className={`badge ${current === "CONFIRMED" ? "bad" : "ok"}`}
          title={transaction.feedback ? verdictGiven(transaction.feedback) : undefined}
        >
          {LABELS[current]}
        </span>
      )}
      {current !== "CONFIRMED" && (
        <button type="button" className="small confirm" disabled={record.isPending} onClick={() => mark("CONFIRMED")}>
          {pending === "CONFIRMED" ? "Saving…" : current ? "Confirm" : "Confirm fraud"}
        </button>
      )}
      {current !== "NOT_FRAUD" && (
        <button type="button" className="small dismiss" disabled={record.isPending} onClick={() => mark("NOT_FRAUD")}>
          {pending === "NOT_FRAUD" ? "Saving…" : "Not fraud"}
        </button>
      )}
      {record.isError && (
        <span className="field-error" role="alert">
          {describeError(record.error).detail}
        </span>
      )}
    </span>
  );
}
