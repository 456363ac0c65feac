import { createFileRoute } from "@tanstack/react-router";
import { useModelReport } from "../api/queries";
import type { AlertPrecision, ModelReport } from "../api/types";
import { VerdictScoreChart } from "../components/charts";
import { EmptyState, Panel, QueryView } from "../components/ui";
import { formatCount, formatDateTime, humanise } from "../lib/format";

export const Route = createFileRoute("/model")({ component: ModelPage });

const ALERT_LEVELS = ["HIGH", "MEDIUM"] as const;

/** "50% (1 of 2)": the share of reviewed alerts confirmed as fraud; "—" when none was reviewed. */
function precisionText(entry: AlertPrecision | undefined): string {
  if (!entry?.reviewed) return "—";
  return `${Math.round(entry.precision * 100)}% (${formatCount(entry.confirmed)} of ${formatCount(entry.reviewed)})`;
}

function ModelPage() {
  const query = useModelReport();
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Model</h1>
          <div className="sub">The models that judge new scores, and how their alerts hold up against the verdicts</div>
        </div>
      </div>
      <QueryView query={query} loadingRows={8}>
        {(report) => <Report report={report} />}
      </QueryView>
    </div>
  );
}

function Report({ report }: { report: ModelReport }) {
  return (
    <>
      <Panel title="Models in use" flush>
        <div className="table-wrap">
          <table className="data" data-testid="models-table">
            <thead>
              <tr>
                <th>Role</th>
                <th>Version</th>
                <th className="hide-phone">Fitted at</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {report.models.map((model) => (
                <tr key={model.role} data-id={model.role}>
                  <td>{humanise(model.role)}</td>
                  <td className="mono nowrap">{model.version}</td>
                  <td className="nowrap hide-phone">
                    {model.fittedAt ? (
                      formatDateTime(model.fittedAt)
                    ) : (
                      <span className="muted">shipped with the code</span>
                    )}
                  </td>
                  <td>{model.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl
          className="facts"
          data-testid="learning"
          style={{ padding: "10px 14px", borderTop: "1px solid var(--border)" }}
        >
          <dt>Learning</dt>
          <dd>{report.learning.charAt(0).toUpperCase() + report.learning.slice(1)}</dd>
          <dt>Learnt from</dt>
          <dd>
            {report.verdictsLearntFrom
              ? `${formatCount(report.verdictsLearntFrom)} verdicts (${formatCount(report.fraudsLearntFrom)} confirmed frauds)`
              : "No layer learnt from verdicts is in use yet"}
          </dd>
        </dl>
      </Panel>
      <div className="grid two">
        <Panel title="Alert precision among reviewed" flush>
          {report.precision.length ? (
            <PrecisionTable precision={report.precision} />
          ) : (
            <EmptyState title="No reviewed alerts yet">
              Verdicts on high and medium risk transactions show here, week by week.
            </EmptyState>
          )}
        </Panel>
        <Panel title="Scores by verdict">
          <div style={{ display: "flex", flexDirection: "column", gap: 10 }}>
            <div className="actions" data-testid="verdict-totals">
              <span className="badge bad">
                Confirmed fraud <span className="score">{formatCount(report.confirmed)}</span>
              </span>
              <span className="badge ok">
                Not fraud <span className="score">{formatCount(report.notFraud)}</span>
              </span>
              <span className="hint">verdicts on transactions since {report.since.slice(0, 10)}</span>
            </div>
            <div style={{ height: 180 }}>
              <VerdictScoreChart distribution={report.distribution} />
            </div>
          </div>
        </Panel>
      </div>
    </>
  );
}

/** One row per week, newest first, with the precision of each alert level's reviewed transactions. */
function PrecisionTable({ precision }: { precision: AlertPrecision[] }) {
  const weeks = [...new Set(precision.map((entry) => entry.week))].reverse();
  return (
    <div className="table-wrap">
      <table className="data" data-testid="precision-table">
        <thead>
          <tr>
            <th>Week of</th>
            {ALERT_LEVELS.map((level) => (
              <th key={level} className="num">
                {humanise(level)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week} data-id={week}>
              <td className="nowrap">{week}</td>
              {ALERT_LEVELS.map((level) => (
                <td key={level} className="num" data-level={level}>
                  {precisionText(precision.find((entry) => entry.week === week && entry.level === level))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
