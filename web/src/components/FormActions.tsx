/** A form's Cancel (when it can be cancelled) and submit buttons. */
export function FormActions({
  submitLabel,
  busy,
  onCancel,
}: {
  submitLabel: string;
  busy?: boolean;
  onCancel?: () => void;
}) {
  return (
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
  );
}
