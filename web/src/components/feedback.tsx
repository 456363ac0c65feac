import { useState } from "react";
import { useRecordFeedback } from "../api/queries";
import type { Transaction, Verdict } from "../api/types";
import { verdictGiven } from "../lib/format";
import { describeError } from "../lib/describeError";

const LABELS: Record<Verdict, string> = { CONFIRMED: "Confirmed fraud", NOT_FRAUD: "Not fraud" };
const NOTE_MAX = 200; // the API's limit

/** An analyst's verdict on a flagged transaction: shown when given, changeable, recorded with the transaction.
 * With `withNote`, the verdict carries a note (why, what the customer said), shown with it once given. */
export function FeedbackButtons({ transaction, withNote = false }: { transaction: Transaction; withNote?: boolean }) {
  const record = useRecordFeedback();
  const stored = transaction.feedback;
  const current = stored?.verdict;
  const [note, setNote] = useState(stored?.note ?? "");
  const pending = record.isPending ? record.variables?.verdict : undefined;
  const mark = (verdict: Verdict) =>
    record.mutate({
      transactionId: transaction.transactionId,
      verdict,
      note: withNote ? note.trim() || undefined : undefined,
    });
  const noteChanged = withNote && current !== undefined && note.trim() !== (stored?.note ?? "");
  return (
    <span className="actions" data-testid={`feedback-${transaction.transactionId}`}>
      {current && (
        <span
          className={`badge ${current === "CONFIRMED" ? "bad" : "ok"}`}
          title={stored ? verdictGiven(stored) : undefined}
        >
          {LABELS[current]}
        </span>
      )}
      {withNote && (
        <input
          aria-label="Verdict note"
          placeholder="Note (optional)"
          maxLength={NOTE_MAX}
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
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
      {noteChanged && (
        <button type="button" className="small" disabled={record.isPending} onClick={() => mark(current)}>
          Save note
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
