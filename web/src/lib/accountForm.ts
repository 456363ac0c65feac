import type { components } from "../api/schema.gen";
import { ACCOUNT_TYPES, type Account, type AccountType } from "../api/types";
import type { FormErrors } from "./fieldErrors";

/** What POST /accounts accepts. */
export type AccountInput = components["schemas"]["AccountCreate"];
/** What PATCH /accounts/{id} accepts: the name and the type; currency and home country stay as opened. */
export type AccountPatch = components["schemas"]["AccountUpdate"];

/** The account form's fields: those POST /accounts takes, so a field the API renames fails the type check. */
export type AccountField = keyof AccountInput;
export type AccountValues = Record<AccountField, string>;

/** A new account's form: the type is chosen, not assumed. */
export const EMPTY_ACCOUNT: AccountValues = { name: "", accountType: "", currency: "", homeCountry: "" };
export const ACCOUNT_FIELDS = Object.keys(EMPTY_ACCOUNT) as AccountField[];
/** The fields a change may set. */
export const EDITABLE_FIELDS: readonly (keyof AccountPatch & AccountField)[] = ["name", "accountType"];

export const NAME_MAX_LENGTH = 200;

// White space as the API strips it from a name (Python's str.strip): JavaScript's, the separators \x1c-\x1f and
// NEL. A name must keep a character that is neither white space nor a control character.
// eslint-disable-next-line no-control-regex -- the API's rule is about control characters
const EDGE_SPACE = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu;
// eslint-disable-next-line no-control-regex -- the API's name pattern, as it is
const VISIBLE = /[^\s\x00-\x1f\x7f-\x9f]/u;

export function accountValues(account: Account): AccountValues {
  return {
    name: account.name,
    accountType: account.accountType,
    currency: account.currency,
    homeCountry: account.homeCountry,
  };
}

/** The name as the API stores it: without white space at either end. */
export function cleanName(text: string): string {
  return text.replace(EDGE_SPACE, "");
}

function problem(field: AccountField, value: string): string | undefined {
  const text = value.trim();
  switch (field) {
    case "name": {
      const name = cleanName(value);
      if (!VISIBLE.test(name)) return "Enter a name";
      const length = [...name].length;
      if (length > NAME_MAX_LENGTH) return `At most ${NAME_MAX_LENGTH} characters; this is ${length}`;
      return undefined;
    }
    case "accountType":
      return ACCOUNT_TYPES.includes(value as AccountType) ? undefined : "Choose the account's type";
    case "currency":
      if (!text) return "Enter the currency, such as EUR";
      return /^[A-Za-z]{3}$/.test(text) ? undefined : "A currency is three letters, such as EUR";
    case "homeCountry":
      if (!text) return "Enter the home country, such as DE";
      return /^[A-Za-z]{2}$/.test(text) ? undefined : "A country is two letters, such as DE";
  }
}

/**
 * Every field's problem at once, by the API's rules: a name of 1 to 200 characters once trimmed, one of the
 * account types, a three-letter currency and a two-letter country (either case: the form sends capitals).
 * On edit only the fields a change may set are judged.
 */
export function validateAccount(values: AccountValues, creating: boolean): FormErrors {
  const fields: Record<string, string> = {};
  for (const field of creating ? ACCOUNT_FIELDS : EDITABLE_FIELDS) {
    const message = problem(field, values[field]);
    if (message) fields[field] = message;
  }
  return { fields, general: [] };
}

function sent(field: AccountField, value: string): string {
  if (field === "name") return cleanName(value);
  if (field === "currency" || field === "homeCountry") return value.trim().toUpperCase();
  return value;
}

/** A new account in the API's shape. */
export function createBody(values: AccountValues): AccountInput {
  return {
    name: sent("name", values.name),
    accountType: values.accountType as AccountType,
    currency: sent("currency", values.currency),
    homeCountry: sent("homeCountry", values.homeCountry),
  };
}

/** A change: only the fields a change may set that differ from the account as it was; empty when none do. */
export function changeBody(values: AccountValues, initial: AccountValues): AccountPatch {
  const patch: AccountPatch = {};
  for (const field of EDITABLE_FIELDS) {
    const value = sent(field, values[field]);
    if (value === sent(field, initial[field])) continue;
    if (field === "name") patch.name = value;
    else patch.accountType = value as AccountType;
  }
  return patch;
}

/** How many transactions an account holds, as far as it was counted. */
export interface HeldTransactions {
  count: number;
  /** Counting stopped before the last page: there are more than `count`. */
  more: boolean;
}

/** What deleting asks: whether the account's transactions go with it, and how many. */
export function deleteQuestion(name: string, held: HeldTransactions): string {
  if (held.count === 0) return `Delete the account “${name}”? It has no transactions. This cannot be undone.`;
  const count = `${held.count.toLocaleString("en")}${held.more ? " or more" : ""}`;
  const noun = held.count === 1 && !held.more ? "transaction" : "transactions";
  return (
    `Delete the account “${name}” and its ${count} ${noun}? ` +
    "They are deleted with it, with their scores and verdicts. This cannot be undone."
  );
}
