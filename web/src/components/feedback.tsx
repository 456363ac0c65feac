import { useState, type Ref } from "react";
import { useRecordFeedback } from "../api/queries";
import type { Transaction, Verdict } from "../api/types";
import { describeError } from "../lib/describeError";
import { VERDICT_LABELS, verdictGiven } from "../lib/format";

const NOTE_MAX = 200; // the API's limit

/** A note as typed beside a verdict, and where it goes. */
export interface NoteField {
  value: string;
  onChange: (note: string) => void;
}

/**
 * The verdict on a flagged transaction as it stands, the buttons that give or change it and, with `note`, the
 * note it carries. What happens on a click is the caller's: see FeedbackButtons for the usual case.
 */
export function VerdictControls({
  transaction,
  note,
  noteRef,
  onMark,
  pending,
  busy = false,
  error,
}: {
  transaction: Transaction;
  note?: NoteField;
  noteRef?: Ref<HTMLInputElement>;
  onMark: (verdict: Verdict) => void;
  /** The verdict being saved. */
  pending?: Verdict;
  busy?: boolean;
  error?: unknown;
}) {
  const stored = transaction.feedback;
  const current = stored?.verdict;
  const noteChanged = note !== undefined && current !== undefined && note.value.trim() !== (stored?.note ?? "");
  return (
    <span className="actions" data-testid={`feedback-${transaction.transactionId}`}>
      {current && (
        <span
          className={`badge ${current === "CONFIRMED" ? "bad" : "ok"}`}
          title={stored ? verdictGiven(stored) : undefined}
        >
          {VERDICT_LABELS[current]}
        </span>
      )}
      {note && (
        <input
          ref={noteRef}
          aria-label="Verdict note"
          placeholder="Note (optional)"
          maxLength={NOTE_MAX}
          value={note.value}
          onChange={(event) => note.onChange(event.target.value)}
        />
      )}
      {current !== "CONFIRMED" && (
        <button type="button" className="small confirm" disabled={busy} onClick={() => onMark("CONFIRMED")}>
          {pending === "CONFIRMED" ? "Saving…" : current ? "Confirm" : "Confirm fraud"}
        </button>
      )}
      {current !== "NOT_FRAUD" && (
        <button type="button" className="small dismiss" disabled={busy} onClick={() => onMark("NOT_FRAUD")}>
          {pending === "NOT_FRAUD" ? "Saving…" : "Not fraud"}
        </button>
      )}
      {noteChanged && (
        <button type="button" className="small" disabled={busy} onClick={() => onMark(current)}>
          Save note
        </button>
      )}
      {error !== undefined && (
        <span className="field-error" role="alert">
          {describeError(error).detail}
        </span>
      )}
    </span>
  );
}

/** An analyst's verdict on a flagged transaction: shown when given, changeable, recorded with the transaction.
 * With `withNote`, the verdict carries a note (why, what the customer said), shown with it once given. */
export function FeedbackButtons({ transaction, withNote = false }: { transaction: Transaction; withNote?: boolean }) {
  const record = useRecordFeedback();
  const [note, setNote] = useState(transaction.feedback?.note ?? "");
  return (
    <VerdictControls
      transaction={transaction}
      note={withNote ? { value: note, onChange: setNote } : undefined}
      onMark={(verdict) =>
        record.mutate({
          transactionId: transaction.transactionId,
          verdict,
          note: withNote ? note.trim() || undefined : undefined,
        })
      }
      pending={record.isPending ? record.variables?.verdict : undefined}
      busy={record.isPending}
      error={record.isError ? record.error : undefined}
    />
  );
}
