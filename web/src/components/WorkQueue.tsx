import { Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useEffectEvent, useRef, useState } from "react";
import { useRecordFeedback } from "../api/queries";
import type { Transaction, Verdict } from "../api/types";
import { formatDateTime, formatMoney, humanise } from "../lib/format";
import { nextOpenIndex, queueRows, selectAt, selectedIndex, type Selection } from "../lib/queueRows";
import { triageAction } from "../lib/triageKeys";
import { VerdictControls } from "./feedback";
import { AccountLink, ReasonList } from "./transactionCells";
import { TriageKeyHelp, TriageKeyLegend } from "./TriageKeyLegend";
import { RiskBadge } from "./ui";

/**
 * One page of the anomalies work queue, worked through with the keys or the mouse: the selected row takes the
 * verdict and its note; a verdict on an open item moves the selection to the next open one. Items judged here
 * stay on screen, closed (`judgedHere`, kept by the page until it shows another listing).
 */
export function WorkQueue({
  items,
  judgedHere,
  onJudged,
  dimJudged,
  startAtEnd = false,
  onNextPage,
  onPreviousPage,
}: {
  items: Transaction[];
  judgedHere: Transaction[];
  onJudged: (judged: Transaction) => void;
  /** Show judged items as closed: the open queue's view. */
  dimJudged: boolean;
  /** Select the last row first (coming back from the next page). */
  startAtEnd?: boolean;
  onNextPage?: () => void;
  onPreviousPage?: () => void;
}) {
  const rows = queueRows(items, judgedHere);
  const [selection, setSelection] = useState<Selection>({ index: startAtEnd ? Infinity : 0 });
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [help, setHelp] = useState(false);
  const index = selectedIndex(rows, selection);
  const selected = rows[index] as Transaction | undefined;
  const selectedRow = useRef<HTMLTableRowElement>(null);
  const noteInput = useRef<HTMLInputElement>(null);
  const navigate = useNavigate();

  const record = useRecordFeedback({
    onRecorded: (judged) => {
      const before = rows.find((t) => t.transactionId === judged.transactionId);
      if (before) onJudged({ ...before, feedback: judged.feedback });
    },
  });
  const noteFor = (t: Transaction) => notes[t.transactionId] ?? t.feedback?.note ?? "";
  const saving = (t: Transaction) => record.isPending && record.variables?.transactionId === t.transactionId;

  const mark = (t: Transaction, verdict: Verdict) => {
    const note = noteFor(t).trim();
    if (t.feedback?.verdict === verdict && note === (t.feedback.note ?? "")) return;
    record.mutate({ transactionId: t.transactionId, verdict, note: note || undefined });
    if (!t.feedback) setSelection(selectAt(rows, nextOpenIndex(rows, rows.indexOf(t))));
  };

  const move = (step: 1 | -1) => {
    const to = index + step;
    if (to >= rows.length) onNextPage?.();
    else if (to < 0) onPreviousPage?.();
    else setSelection(selectAt(rows, to));
  };

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.key === "Escape") {
      if (event.target === noteInput.current) noteInput.current?.blur();
      setHelp(false);
      return;
    }
    const action = triageAction(event);
    if (!action) return;
    event.preventDefault();
    if (action === "help") setHelp((open) => !open);
    else if (action === "next") move(1);
    else if (action === "previous") move(-1);
    else if (!selected) return;
    else if (action === "fraud") mark(selected, "CONFIRMED");
    else if (action === "notFraud") mark(selected, "NOT_FRAUD");
    else if (action === "note") noteInput.current?.focus();
    else if (action === "account")
      void navigate({ to: "/accounts/$accountId", params: { accountId: selected.accountId } });
    else if (action === "open")
      void navigate({ to: "/transactions/$transactionId", params: { transactionId: selected.transactionId } });
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  useEffect(() => {
    selectedRow.current?.scrollIntoView?.({ block: "nearest" });
  }, [index]);

  return (
    <>
      <div className="table-wrap">
        <table className="data queue" data-testid="anomalies-table" aria-label="Work queue">
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
            {rows.map((t, i) => {
              const isSelected = i === index;
              return (
                <tr
                  key={t.transactionId}
                  ref={isSelected ? selectedRow : undefined}
                  data-id={t.transactionId}
                  aria-selected={isSelected}
                  className={[isSelected && "selected", dimJudged && t.feedback && "closed"].filter(Boolean).join(" ")}
                  onClick={(event) => {
                    if (!(event.target as HTMLElement).closest("a, button, input")) setSelection(selectAt(rows, i));
                  }}
                >
                  <td className="nowrap">
                    <Link to="/transactions/$transactionId" params={{ transactionId: t.transactionId }}>
                      {formatDateTime(t.timestamp)}
                    </Link>
                    <div className="hint">
                      {humanise(t.transactionType)}
                      {t.merchant ? ` · ${t.merchant}` : ""}
                    </div>
                    <div className="hint show-phone">
                      <strong>{formatMoney(t.amount, t.currency)}</strong> · {t.accountName ?? t.accountId}
                      {t.homeCountry ? ` (${t.homeCountry})` : ""} · {t.reasons?.join("; ")}
                    </div>
                  </td>
                  <td className="hide-phone">
                    <AccountLink transaction={t} />
                  </td>
                  <td className="num hide-phone">{formatMoney(t.amount, t.currency)}</td>
                  <td>
                    <RiskBadge level={t.riskLevel} score={t.riskScore} />
                  </td>
                  <td className="hide-phone reasons-cell">
                    <ReasonList reasons={t.reasons} />
                  </td>
                  <td className="verdict-cell">
                    <VerdictControls
                      transaction={t}
                      note={
                        isSelected
                          ? {
                              value: noteFor(t),
                              onChange: (note) => setNotes((all) => ({ ...all, [t.transactionId]: note })),
                            }
                          : undefined
                      }
                      noteRef={isSelected ? noteInput : undefined}
                      onMark={(verdict) => mark(t, verdict)}
                      pending={saving(t) ? record.variables?.verdict : undefined}
                      busy={saving(t)}
                      error={
                        record.isError && record.variables?.transactionId === t.transactionId ? record.error : undefined
                      }
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <TriageKeyLegend />
      {help && <TriageKeyHelp onClose={() => setHelp(false)} />}
    </>
  );
}
