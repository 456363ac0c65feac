import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useState } from "react";
import { useDeleteTransaction, useTransaction, useUpdateTransaction } from "../../api/queries";
import type { Transaction, TransactionPatch } from "../../api/types";
import { FeedbackButtons } from "../../components/feedback";
import { AccountLink, ReasonList } from "../../components/transactionCells";
import { TransactionForm } from "../../components/TransactionForm";
import { VerdictHistory } from "../../components/VerdictHistory";
import { Panel, QueryView, RiskBadge } from "../../components/ui";
import { describeError } from "../../lib/describeError";
import { formatDateTime, formatMoney, formatScore, humanise, verdictGiven } from "../../lib/format";

export const Route = createFileRoute("/transactions/$transactionId")({ component: TransactionPage });

function TransactionPage() {
  const { transactionId } = Route.useParams();
  const query = useTransaction(transactionId);
  return (
    <div className="page">
      <div>
        <div className="crumbs">
          <Link to="/transactions">Transactions</Link> /
        </div>
        <h1 className="mono" style={{ fontSize: 17 }}>
          {transactionId}
        </h1>
      </div>
      <QueryView query={query} loadingRows={8}>
        {(transaction) => <TransactionDetails transaction={transaction} />}
      </QueryView>
    </div>
  );
}

function TransactionDetails({ transaction: t }: { transaction: Transaction }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateTransaction(t.transactionId);
  const remove = useDeleteTransaction();
  const navigate = useNavigate();

  const onDelete = () => {
    if (!window.confirm("Delete this transaction? Its amount leaves the account's balance.")) return;
    remove.mutate(t.transactionId, { onSuccess: () => void navigate({ to: "/transactions" }) });
  };

  if (editing) {
    return (
      <Panel title="Edit transaction">
        <TransactionForm
          initial={t}
          submitLabel="Save changes"
          busy={update.isPending}
          onCancel={() => setEditing(false)}
          onSubmit={async (patch) => {
            await update.mutateAsync(patch as TransactionPatch);
            setEditing(false);
          }}
        />
      </Panel>
    );
  }

  return (
    <div className="grid two">
      <Panel
        title={
          <span className="actions">
            {formatMoney(t.amount, t.currency)} <RiskBadge level={t.riskLevel} score={t.riskScore} />
          </span>
        }
        actions={
          <AdminOnly>
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" className="danger" onClick={onDelete} disabled={remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete"}
            </button>
          </AdminOnly>
        }
      >
        {remove.isError && (
          <div className="banner bad" role="alert" style={{ marginBottom: 10 }}>
            {describeError(remove.error).detail}
          </div>
        )}
        <dl className="facts">
          <dt>Account</dt>
          <dd>
            <AccountLink transaction={t} full />
          </dd>
          <dt>Type</dt>
          <dd>{humanise(t.transactionType)}</dd>
          <dt>Time</dt>
          <dd>
            {formatDateTime(t.timestamp)} <span className="hint">({t.timestamp})</span>
          </dd>
          <dt>Merchant</dt>
          <dd>{t.merchant ?? "—"}</dd>
          <dt>Category</dt>
          <dd>{t.category ?? "—"}</dd>
          <dt>Country</dt>
          <dd>{t.country ?? "—"}</dd>
          <dt>Channel</dt>
          <dd>{humanise(t.channel)}</dd>
          <dt>Description</dt>
          <dd>{t.description || "—"}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(t.createdAt)}</dd>
          <dt>Updated</dt>
          <dd>{formatDateTime(t.updatedAt)}</dd>
        </dl>
      </Panel>
      <Panel title="Risk">
        {t.riskLevel ? (
          <dl className="facts">
            <dt>Score</dt>
            <dd>
              {formatScore(t.riskScore)} <RiskBadge level={t.riskLevel} />
              {t.baseScore != null && (
                <span className="hint" data-testid="base-score">
                  {" "}
                  learnt from verdicts; the IsolationForest alone gave {formatScore(t.baseScore)}
                </span>
              )}
            </dd>
            <dt>Why</dt>
            <dd>{t.reasons?.length ? <ReasonList reasons={t.reasons} /> : "Nothing unusual stood out"}</dd>
            <dt>Scored</dt>
            <dd>
              {formatDateTime(t.scoredAt)} <span className="hint">model {t.modelVersion ?? "—"}</span>
            </dd>
            <dt>Analyst</dt>
            <dd>
              <FeedbackButtons transaction={t} withNote />
              {t.feedback && (
                <div className="hint" data-testid="verdict-given">
                  {verdictGiven(t.feedback)}
                  {t.feedback.note ? `: “${t.feedback.note}”` : ""}
                </div>
              )}
            </dd>
            <dt>History</dt>
            <dd>
              <VerdictHistory transactionId={t.transactionId} />
            </dd>
          </dl>
        ) : (
          <div className="state">Not scored yet: the next detection run scores it.</div>
        )}
      </Panel>
    </div>
  );
}
