import type { ReactNode } from "react";
import type { FormErrors } from "../lib/fieldErrors";

type Change = (event: { target: { value: string } }) => void;

/**
 * A form's fields: `field` lays out a label, its control and its error (or a hint); `described` gives the
 * control its id, value, change handler and the ARIA ties to its error. `prefix` keeps two forms' ids apart.
 */
export function formFields<F extends string>(
  prefix: string,
  errors: FormErrors,
  values: Record<F, string>,
  set: (name: F) => Change,
) {
  const field = (name: F, label: string, control: ReactNode, hint?: string, wide?: boolean) => (
    <div className={`field ${errors.fields[name] ? "invalid" : ""} ${wide ? "wide" : ""}`}>
      <label htmlFor={`${prefix}-${name}`}>{label}</label>
      {control}
      {errors.fields[name] ? (
        <span className="field-error" id={`${prefix}-${name}-error`} role="alert">
          {errors.fields[name]}
        </span>
      ) : (
        hint && <span className="hint">{hint}</span>
      )}
    </div>
  );
  const described = (name: F) => ({
    id: `${prefix}-${name}`,
    name,
    "aria-invalid": errors.fields[name] ? true : undefined,
    "aria-describedby": errors.fields[name] ? `${prefix}-${name}-error` : undefined,
    value: values[name],
    onChange: set(name),
  });
  return { field, described };
}
