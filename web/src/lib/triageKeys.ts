/**
 * The Anomalies page's keys, so an analyst works through the queue without the mouse. One list: the page
 * acts on it and its legend shows it.
 */
export type TriageAction = "next" | "previous" | "fraud" | "notFraud" | "note" | "account" | "open" | "help";

export const TRIAGE_KEYS: readonly { action: TriageAction; keys: readonly string[]; label: string }[] = [
  { action: "next", keys: ["j", "ArrowDown"], label: "next" },
  { action: "previous", keys: ["k", "ArrowUp"], label: "previous" },
  { action: "fraud", keys: ["f"], label: "mark fraud" },
  { action: "notFraud", keys: ["n"], label: "mark not fraud" },
  { action: "note", keys: ["e"], label: "write a note" },
  { action: "account", keys: ["a"], label: "open the account" },
  { action: "open", keys: ["Enter", "o"], label: "open the transaction" },
  { action: "help", keys: ["?"], label: "show the keys" },
];

const SYMBOLS: Record<string, string> = { ArrowDown: "↓", ArrowUp: "↑" };

/** How a key reads on screen: "↓" for ArrowDown. */
export function keyLabel(key: string): string {
  return SYMBOLS[key] ?? key;
}

/** What a keydown needs to say about itself; a DOM KeyboardEvent has all of it. */
export interface KeyPress {
  key: string;
  target: EventTarget | null;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

/** Whether the element takes typed text: then every key is the typist's, none the page's. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLInputElement) return !NOT_TEXT.has(target.type);
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** Whether a focused button or link answers this key itself (Enter clicks it). */
function ownsEnter(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest("button, a[href], input, select, summary") !== null;
}

/** The action a key press asks for; none while typing, with a modifier (the browser's shortcuts) or unknown. */
export function triageAction(press: KeyPress): TriageAction | undefined {
  if (press.ctrlKey || press.metaKey || press.altKey) return undefined;
  if (isTyping(press.target)) return undefined;
  if (press.key === "Enter" && ownsEnter(press.target)) return undefined;
  return TRIAGE_KEYS.find((entry) => entry.keys.includes(press.key))?.action;
}
