import { ApiError } from "../api/client";

/** An API error split into messages for the form's own fields and the rest, shown above the form. */
export interface FormErrors {
  fields: Record<string, string>;
  general: string[];
}

/** "body.amount", "body → amount", "$.amount", "amount" all name the form field "amount". */
export function fieldName(apiField: string): string {
  const parts = apiField
    .split(/\s*(?:→|->|\.|\/|\[|\])\s*/)
    .map((part) => part.trim())
    .filter((part) => part && part !== "$" && part !== "body" && part !== "query" && part !== "path");
  return parts[parts.length - 1] ?? apiField;
}

export function formErrors(error: unknown, formFields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: [error instanceof Error ? error.message : "Something went wrong"] };
  }
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const fieldError of error.fieldErrors) {
    const name = fieldName(fieldError.field);
    if (formFields.includes(name) && !fields[name]) fields[name] = fieldError.message;
    else general.push(`${fieldError.field}: ${fieldError.message}`);
  }
  if (general.length === 0 && Object.keys(fields).length === 0) general.push(error.message);
  return { fields, general };
}
