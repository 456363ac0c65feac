import { Link } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { useExecutions } from "../api/queries";
import { alertsOf, newestAlert, unreadCount } from "../lib/alerts";
import { formatAge, formatMoney, formatScore } from "../lib/format";

const SEEN_KEY = "isoflow.alerts.seenUntil";
// The bell looks at the newest runs: an alert older than these has been seen or has gone stale.
const RUNS = 20;

function readSeen(): string | null {
  try {
    return window.localStorage.getItem(SEEN_KEY);
  } catch {
    return null;
  }
}

/** The alerts of the newest runs that found new high-risk anomalies: a bell with the count not seen yet, and
 * the list, which marks them seen when opened. */
export function AlertBell() {
  const runs = useExecutions({ limit: RUNS });
  const alerts = alertsOf(runs.data?.items ?? []);
  const [seenUntil, setSeenUntil] = useState(readSeen);
  const [open, setOpen] = useState(false);
  const panel = useRef<HTMLDivElement>(null);
  const unread = unreadCount(alerts, seenUntil);

  const toggle = () => {
    setOpen(!open);
    const newest = newestAlert(alerts);
    if (!open && newest) {
      setSeenUntil(newest);
      try {
        window.localStorage.setItem(SEEN_KEY, newest);
      } catch {
        // A browser that keeps nothing shows the count again next time.
      }
    }
  };

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !panel.current?.contains(event.target as Node))
        setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  return (
    <div className="alert-bell" ref={panel}>
      <button
        type="button"
        className="bell"
        aria-label={unread ? `Alerts: ${unread} unread` : "Alerts"}
        aria-expanded={open}
        data-testid="alert-bell"
        onClick={toggle}
      >
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden>
          <path
            d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6Zm-2 15a2 2 0 0 0 4 0"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinejoin="round"
          />
        </svg>
        {unread > 0 && (
          <span className="count" data-testid="alert-count">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div className="alert-list" role="dialog" aria-label="Alerts" data-testid="alert-list">
          <div className="alert-head">
            <strong>Alerts</strong>
            <Link to="/anomalies" search={{ minLevel: "HIGH" }} onClick={() => setOpen(false)}>
              Review high risk
            </Link>
          </div>
          {alerts.length === 0 ? (
            <p className="muted">No run of the newest {RUNS} found new high-risk anomalies.</p>
          ) : (
            alerts.map((alert) => (
              <section key={alert.executionId} className="alert-item">
                <div>
                  <strong>
                    {alert.count} new high-risk {alert.count === 1 ? "anomaly" : "anomalies"}
                  </strong>{" "}
                  <span className="muted">
                    {formatAge(alert.at)} ·{" "}
                    <Link
                      to="/runs/$executionId"
                      params={{ executionId: alert.executionId }}
                      onClick={() => setOpen(false)}
                    >
                      run
                    </Link>
                  </span>
                </div>
                <ul>
                  {alert.top.map((t) => (
                    <li key={t.transactionId}>
                      <Link
                        to="/transactions/$transactionId"
                        params={{ transactionId: t.transactionId }}
                        onClick={() => setOpen(false)}
                      >
                        {t.accountName ?? t.accountId}
                      </Link>{" "}
                      {t.amount != null && formatMoney(t.amount, t.currency ?? undefined)}
                      {t.merchant ? ` at ${t.merchant}` : ""} · {formatScore(t.riskScore)}
                      {t.reasons.length > 0 && <div className="hint">{t.reasons[0]}</div>}
                    </li>
                  ))}
                </ul>
                {alert.failed.length > 0 && <div className="field-error">Not delivered: {alert.failed.join("; ")}</div>}
              </section>
            ))
          )}
        </div>
      )}
    </div>
  );
}
