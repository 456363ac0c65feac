import type { Transaction, TransactionInput } from "../api/types";
import type { FormErrors } from "./fieldErrors";

/** The transaction form's fields: those POST /transactions takes, so a field the API renames fails the type check. */
export type FormField = keyof TransactionInput;
export type FormValues = Record<FormField, string>;

/** A new transaction's form. */
export const EMPTY_FORM: FormValues = {
  accountId: "",
  transactionType: "PURCHASE",
  amount: "",
  currency: "",
  description: "",
  merchant: "",
  category: "",
  country: "",
  channel: "",
  timestamp: "",
};

export const FORM_FIELDS = Object.keys(EMPTY_FORM) as FormField[];

/** "2026-11-24T15:57:11Z" <-> the "2026-11-24T15:57:11" a datetime-local input holds (read as UTC). */
export function toLocalInput(timestamp: string | undefined | null): string {
  return timestamp ? timestamp.replace(/Z$/, "").slice(0, 19) : "";
}

export function fromLocalInput(value: string): string {
  return value.length === 16 ? `${value}:00Z` : `${value}Z`;
}

export function valuesOf(transaction: Transaction): FormValues {
  return {
    accountId: transaction.accountId,
    transactionType: transaction.transactionType,
    amount: String(transaction.amount),
    currency: transaction.currency ?? "",
    description: transaction.description ?? "",
    merchant: transaction.merchant ?? "",
    category: transaction.category ?? "",
    country: transaction.country ?? "",
    channel: transaction.channel ?? "",
    timestamp: toLocalInput(transaction.timestamp),
  };
}

/**
 * The amount as the API should judge it: a number when it reads as one (so "12.345" is refused for its
 * decimals, by the API), the text itself otherwise (so the API names what is wrong with it).
 */
export function amountValue(text: string): number | string {
  const trimmed = text.trim().replace(",", ".");
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * The fields that are set, in the API's shape; on edit only those that changed. What was typed is sent as it is
 * (an amount that is no number included): the API judges it and names each field it refuses.
 */
export function requestBody(values: FormValues, initial?: FormValues): Partial<Record<FormField, string | number>> {
  const body: Partial<Record<FormField, string | number>> = {};
  for (const field of FORM_FIELDS) {
    const value = values[field].trim();
    if (initial && (field === "accountId" || value === initial[field].trim())) continue;
    if (value === "") continue;
    if (field === "amount") body.amount = amountValue(value);
    else if (field === "timestamp") body.timestamp = fromLocalInput(value);
    else if (field === "currency" || field === "country") body[field] = value.toUpperCase();
    else body[field] = value;
  }
  return body;
}

/** What the form can tell before asking the API: the required fields are there. */
export function missingFields(values: FormValues, creating: boolean): FormErrors {
  const fields: Record<string, string> = {};
  if (creating && !values.accountId.trim()) fields.accountId = "Choose the account";
  if (!values.amount.trim()) fields.amount = "Enter an amount";
  return { fields, general: [] };
}
