/** The From and To days (UTC) of a list's filter form; `prefix` keeps two forms' ids apart. */
export function DateRangeFields({
  prefix,
  from,
  to,
  onChange,
}: {
  prefix: string;
  from?: string;
  to?: string;
  onChange: (patch: { from?: string; to?: string }) => void;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${prefix}-from`}>From (UTC)</label>
        <input
          id={`${prefix}-from`}
          type="date"
          value={from ?? ""}
          onChange={(e) => onChange({ from: e.target.value || undefined })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-to`}>To (UTC)</label>
        <input
          id={`${prefix}-to`}
          type="date"
          value={to ?? ""}
          onChange={(e) => onChange({ to: e.target.value || undefined })}
        />
      </div>
    </>
  );
}
