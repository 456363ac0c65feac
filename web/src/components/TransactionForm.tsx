import { useState, type FormEvent } from "react";
import {
  CHANNELS,
  TRANSACTION_TYPES,
  type Transaction,
  type TransactionInput,
  type TransactionPatch,
} from "../api/types";
import { formErrors, type FormErrors } from "../lib/fieldErrors";
import { FormActions } from "./FormActions";
import { GeneralErrors } from "./GeneralErrors";
import { formFields } from "./formFields";
import { humanise } from "../lib/format";
import {
  EMPTY_FORM,
  FORM_FIELDS,
  missingFields,
  requestBody,
  valuesOf,
  type FormField,
  type FormValues,
} from "../lib/transactionForm";

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
  const start = initial ? valuesOf(initial) : { ...EMPTY_FORM, accountId: prefillAccountId ?? "" };
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
      await onSubmit(requestBody(values, initial ? start : undefined) as TransactionInput | TransactionPatch);
    } catch (error) {
      setErrors(formErrors(error, FORM_FIELDS));
    }
  };

  const { field, described } = formFields("tx", errors, values, set);

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={submitLabel}
      style={{ display: "flex", flexDirection: "column", gap: 14 }}
    >
      <GeneralErrors messages={errors.general} />
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
          : field(
              "accountId",
              "Account",
              <input {...described("accountId")} disabled />,
              "A transaction stays with its account",
            )}
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
        {field(
          "amount",
          "Amount",
          <input {...described("amount")} inputMode="decimal" placeholder="42.50" />,
          "Positive, up to 2 decimals",
        )}
        {field(
          "currency",
          "Currency",
          <input {...described("currency")} placeholder="account's" maxLength={3} />,
          "ISO 4217, e.g. EUR",
        )}
        {field("merchant", "Merchant", <input {...described("merchant")} />)}
        {field("category", "Category", <input {...described("category")} placeholder="groceries" />)}
        {field(
          "country",
          "Country",
          <input {...described("country")} placeholder="DE" maxLength={2} />,
          "ISO 3166 alpha-2",
        )}
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
        {field(
          "timestamp",
          "Time (UTC)",
          <input {...described("timestamp")} type="datetime-local" step={1} />,
          creating ? "Empty for now" : undefined,
        )}
        {field("description", "Description", <input {...described("description")} />, undefined, true)}
      </div>
      <FormActions submitLabel={submitLabel} busy={busy} onCancel={onCancel} />
    </form>
  );
}
