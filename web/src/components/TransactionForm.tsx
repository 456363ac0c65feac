import { useState, type FormEvent, type ReactNode } from "react";
import { CHANNELS, TRANSACTION_TYPES, type Transaction, type TransactionInput, type TransactionPatch } from "../api/types";
import { formErrors, type FormErrors } from "../lib/fieldErrors";
import { humanise } from "../lib/format";

export const FORM_FIELDS = [
  "accountId",
  "transactionType",
  "amount",
  "currency",
  "description",
  "merchant",
  "category",
  "country",
  "channel",
  "timestamp",
] as const;
type FormField = (typeof FORM_FIELDS)[number];
export type FormValues = Record<FormField, string>;

const EMPTY: FormValues = {
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

/** The fields that are set, in the API's shape; on edit only those that changed. */
export function requestBody(values: FormValues, initial?: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
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

export function TransactionForm({
  initial,
  accounts,
  submitLabel,
  onSubmit,
  onCancel,
  busy,
  prefillAccountId,
}: {
  initial?: Transaction;
  /** Suggestions for the account field. */
  accounts?: { accountId: string; name: string }[];
  submitLabel: string;
  onSubmit: (body: TransactionInput | TransactionPatch) => Promise<unknown>;
  onCancel?: () => void;
  busy?: boolean;
  prefillAccountId?: string;
}) {
  const start = initial ? valuesOf(initial) : { ...EMPTY, accountId: prefillAccountId ?? "" };
  const [values, setValues] = useState<FormValues>(start);
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, general: [] });
  const creating = !initial;
  const set = (field: FormField) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = missingFields(values, creating);
    if (Object.keys(missing.fields).length) {
      setErrors(missing);
      return;
    }
    setErrors({ fields: {}, general: [] });
    try {
      await onSubmit(requestBody(values, initial ? start : undefined) as unknown as TransactionInput);
    } catch (error) {
      setErrors(formErrors(error, FORM_FIELDS));
    }
  };

  const field = (name: FormField, label: string, control: ReactNode, hint?: string, wide?: boolean) => (
    <div className={`field ${errors.fields[name] ? "invalid" : ""} ${wide ? "wide" : ""}`}>
      <label htmlFor={`tx-${name}`}>{label}</label>
      {control}
      {errors.fields[name] ? (
        <span className="field-error" id={`tx-${name}-error`} role="alert">
          {errors.fields[name]}
        </span>
      ) : (
        hint && <span className="hint">{hint}</span>
      )}
    </div>
  );
  const described = (name: FormField) => ({
    id: `tx-${name}`,
    name,
    "aria-invalid": errors.fields[name] ? true : undefined,
    "aria-describedby": errors.fields[name] ? `tx-${name}-error` : undefined,
    value: values[name],
    onChange: set(name),
  });

  return (
    <form onSubmit={submit} noValidate aria-label={submitLabel} style={{ display: "flex", flexDirection: "column", gap: 14 }}>
      {errors.general.length > 0 && (
        <div className="banner bad" role="alert">
          <span>
            {errors.general.map((message) => (
              <div key={message}>{message}</div>
            ))}
          </span>
        </div>
      )}
      <div className="form-grid">
        {creating
          ? field(
              "accountId",
              "Account",
              <>
                <input {...described("accountId")} list="tx-accounts" placeholder="acc_…" autoComplete="off" />
                <datalist id="tx-accounts">
                  {accounts?.map((a) => (
                    <option key={a.accountId} value={a.accountId}>
                      {a.name}
                    </option>
                  ))}
                </datalist>
              </>,
            )
          : field("accountId", "Account", <input {...described("accountId")} disabled />, "A transaction stays with its account")}
        {field(
          "transactionType",
          "Type",
          <select {...described("transactionType")}>
            {TRANSACTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {humanise(t)}
              </option>
            ))}
          </select>,
          values.transactionType === "DEPOSIT" ? "Credits the balance" : "Debits the balance",
        )}
        {field("amount", "Amount", <input {...described("amount")} inputMode="decimal" placeholder="42.50" />, "Positive, up to 2 decimals")}
        {field("currency", "Currency", <input {...described("currency")} placeholder="account's" maxLength={3} />, "ISO 4217, e.g. EUR")}
        {field("merchant", "Merchant", <input {...described("merchant")} />)}
        {field("category", "Category", <input {...described("category")} placeholder="groceries" />)}
        {field("country", "Country", <input {...described("country")} placeholder="DE" maxLength={2} />, "ISO 3166 alpha-2")}
        {field(
          "channel",
          "Channel",
          <select {...described("channel")}>
            <option value="">—</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {humanise(c)}
              </option>
            ))}
          </select>,
        )}
        {field("timestamp", "Time (UTC)", <input {...described("timestamp")} type="datetime-local" step={1} />, creating ? "Empty for now" : undefined)}
        {field("description", "Description", <input {...described("description")} />, undefined, true)}
      </div>
      <div className="form-actions">
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
