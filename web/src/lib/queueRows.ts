import type { Transaction } from "../api/types";

/**
 * The rows of the work queue on screen: the page the API sent and, in their place, the items judged here
 * since it loaded. A verdict closes an item and the open queue no longer lists it; it stays, shown closed,
 * until the analyst moves on (another page, other filters), so the list does not jump under the selection.
 */
export function queueRows(items: Transaction[], judgedHere: Transaction[]): Transaction[] {
  const listed = new Set(items.map((t) => t.transactionId));
  const kept = judgedHere.filter((t) => !listed.has(t.transactionId));
  if (kept.length === 0) return items;
  // Newest first, as the API lists the queue.
  return [...items, ...kept].sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}

/** The selected row: by id while it is listed, else the row now where it was (the last one when past the end). */
export interface Selection {
  id?: string;
  index: number;
}

export function selectedIndex(rows: Transaction[], selection: Selection): number {
  if (rows.length === 0) return -1;
  const byId = selection.id === undefined ? -1 : rows.findIndex((t) => t.transactionId === selection.id);
  return byId >= 0 ? byId : Math.max(0, Math.min(selection.index, rows.length - 1));
}

export function selectAt(rows: Transaction[], index: number): Selection {
  return { id: rows[index]?.transactionId, index };
}

/** Where the analyst goes after closing the row at `index`: the next open row, else the first still open, else
 * the next row. */
export function nextOpenIndex(rows: Transaction[], index: number): number {
  const isOpen = (t: Transaction, i: number) => i !== index && !t.feedback;
  const after = rows.findIndex((t, i) => i > index && isOpen(t, i));
  if (after >= 0) return after;
  const before = rows.findIndex(isOpen);
  return before >= 0 ? before : Math.min(index + 1, rows.length - 1);
}
