import { useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useApi } from "../app";
import { ApiError, type ApiClient } from "../api/client";
import { useDeleteAccount } from "../api/queries";
import { ACCOUNT_TYPES, type Account } from "../api/types";
import {
  ACCOUNT_FIELDS,
  EMPTY_ACCOUNT,
  accountValues,
  changeBody,
  createBody,
  deleteQuestion,
  validateAccount,
  type AccountField,
  type AccountInput,
  type AccountPatch,
  type AccountValues,
  type HeldTransactions,
} from "../lib/accountForm";
import { describeError } from "../lib/describeError";
import { formErrors, type FormErrors } from "../lib/fieldErrors";
import { FormActions } from "./FormActions";
import { GeneralErrors } from "./GeneralErrors";
import { formFields } from "./formFields";
import { humanise } from "../lib/format";

/** Opens an account, or changes one (`initial`): its name and type; currency and home country stay. */
export function AccountForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  busy,
}: {
  initial?: Account;
  submitLabel: string;
  onSubmit: (body: AccountInput | AccountPatch) => Promise<unknown>;
  onCancel?: () => void;
  busy?: boolean;
}) {
  const [start] = useState<AccountValues>(() => (initial ? accountValues(initial) : EMPTY_ACCOUNT));
  const [values, setValues] = useState<AccountValues>(start);
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, general: [] });
  const creating = !initial;
  const set = (field: AccountField) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: event.target.value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = validateAccount(values, creating);
    setErrors(invalid);
    if (Object.keys(invalid.fields).length) return;
    try {
      await onSubmit(creating ? createBody(values) : changeBody(values, start));
    } catch (error) {
      setErrors(formErrors(error, ACCOUNT_FIELDS));
    }
  };

  const { field, described } = formFields("acc", errors, values, set);
  const fixed = creating ? {} : { disabled: true };
  const fixedHint = "Set when the account is opened";

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={submitLabel}
      style={{ display: "flex", flexDirection: "column", gap: 14 }}
    >
      <GeneralErrors messages={errors.general} />
      <div className="form-grid">
        {field("name", "Name", <input {...described("name")} autoComplete="off" />, "Up to 200 characters")}
        {field(
          "accountType",
          "Type",
          <select {...described("accountType")}>
            {creating && <option value="">Choose…</option>}
            {ACCOUNT_TYPES.map((t) => (
              <option key={t} value={t}>
                {humanise(t)}
              </option>
            ))}
          </select>,
        )}
        {field(
          "currency",
          "Currency",
          <input {...described("currency")} {...fixed} placeholder="EUR" maxLength={3} autoComplete="off" />,
          creating ? "ISO 4217, e.g. EUR" : fixedHint,
        )}
        {field(
          "homeCountry",
          "Home country",
          <input {...described("homeCountry")} {...fixed} placeholder="DE" maxLength={2} autoComplete="off" />,
          creating ? "ISO 3166 alpha-2; elsewhere counts as abroad" : fixedHint,
        )}
      </div>
      <FormActions submitLabel={submitLabel} busy={busy} onCancel={onCancel} />
    </form>
  );
}

/** Pages of the account's transactions counted before deleting: beyond these it says "or more". */
const COUNT_PAGES = 5;
const PAGE_SIZE = 200;

async function countTransactions(api: ApiClient, accountId: string): Promise<HeldTransactions> {
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < COUNT_PAGES; page++) {
    const data = await api.listTransactions({ accountId, limit: PAGE_SIZE, cursor });
    count += data.items.length;
    cursor = data.nextCursor ?? undefined;
    if (!cursor) return { count, more: false };
  }
  return { count, more: true };
}

/**
 * Deletes the account after asking, and goes to the accounts list. The question counts the account's
 * transactions afresh and names how many go with it; only then are they deleted too (cascade).
 */
export function DeleteAccountButton({ account }: { account: Account }) {
  const api = useApi();
  const remove = useDeleteAccount();
  const navigate = useNavigate();
  const [counting, setCounting] = useState(false);
  const [failure, setFailure] = useState<string>();

  const onDelete = async () => {
    setFailure(undefined);
    setCounting(true);
    let held: HeldTransactions;
    try {
      held = await countTransactions(api, account.accountId);
    } catch (error) {
      setFailure(describeError(error).detail);
      return;
    } finally {
      setCounting(false);
    }
    if (!window.confirm(deleteQuestion(account.name, held))) return;
    const cascade = held.count > 0;
    remove.mutate(
      { accountId: account.accountId, cascade },
      {
        onSuccess: () => void navigate({ to: "/accounts" }),
        onError: (error) =>
          setFailure(
            !cascade && error instanceof ApiError && error.status === 409
              ? "Transactions arrived while you were asked, so nothing was deleted. Delete again to see them counted."
              : describeError(error).detail,
          ),
      },
    );
  };

  return (
    <>
      <button type="button" className="danger" onClick={() => void onDelete()} disabled={counting || remove.isPending}>
        {remove.isPending ? "Deleting…" : counting ? "Counting…" : "Delete"}
      </button>
      {failure && (
        <span className="field-error" role="alert">
          {failure}
        </span>
      )}
    </>
  );
}
