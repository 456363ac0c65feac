import { Fragment } from "react";
import { TRIAGE_KEYS, keyLabel } from "../lib/triageKeys";

function Keys({ keys }: { keys: readonly string[] }) {
  return (
    <>
      {keys.map((key, i) => (
        <Fragment key={key}>
          {i > 0 && " "}
          <kbd>{keyLabel(key)}</kbd>
        </Fragment>
      ))}
    </>
  );
}

/** The queue's keys in one line, under the list. */
export function TriageKeyLegend() {
  return (
    <div className="key-legend" aria-label="Keys" data-testid="key-legend">
      {TRIAGE_KEYS.map((entry) => (
        <span key={entry.action}>
          <Keys keys={entry.keys} /> {entry.label}
        </span>
      ))}
    </div>
  );
}

/** Every key with what it does, opened with ?. */
export function TriageKeyHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="key-help" role="dialog" aria-label="Keyboard shortcuts" data-testid="key-help">
      <div className="panel-head">
        <h2>Keys</h2>
        <button type="button" className="small" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="facts">
        {TRIAGE_KEYS.map((entry) => (
          <Fragment key={entry.action}>
            <dt>
              <Keys keys={entry.keys} />
            </dt>
            <dd>{entry.label}</dd>
          </Fragment>
        ))}
      </dl>
      <p className="hint">
        A verdict on an open item moves on to the next one. While you type in a field the keys are yours; Esc leaves the
        note field.
      </p>
    </div>
  );
}
