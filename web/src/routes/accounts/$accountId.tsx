import { Link, createFileRoute } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useAccount, useTransactions } from "../../api/queries";
import type { Account, Transaction } from "../../api/types";
import { DeleteAccountButton } from "../../components/AccountForm";
import { AccountActivityChart } from "../../components/charts";
import { FeedbackButtons } from "../../components/feedback";
import { TransactionsTable } from "../../components/tables";
import { EmptyState, Pager, Panel, QueryView, RiskBadge, Stat } from "../../components/ui";
import { useCursorPager } from "../../components/useCursorPager";
import { formatAge, formatDateTime, formatMoney, formatScore, humanise } from "../../lib/format";

export const Route = createFileRoute("/accounts/$accountId")({ component: AccountPage });

/** The chart reads the account's newest transactions, up to the API's page limit. */
const CHART_WINDOW = 200;

function AccountPage() {
  const { accountId } = Route.useParams();
  const account = useAccount(accountId);
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/accounts">Accounts</Link> /
          </div>
          <h1>{account.data?.name ?? "Account"}</h1>
          <div className="sub mono">{accountId}</div>
        </div>
        <AdminOnly>
          <div className="actions">
            <Link to="/transactions/new" search={{ accountId }} className="button">
              New transaction
            </Link>
            <Link to="/accounts/$accountId/edit" params={{ accountId }} className="button">
              Edit
            </Link>
            {account.data && <DeleteAccountButton account={account.data} />}
          </div>
        </AdminOnly>
      </div>
      <QueryView query={account} loadingRows={6}>
        {(data) => <AccountBody account={data} />}
      </QueryView>
    </div>
  );
}

function AccountBody({ account }: { account: Account }) {
  const history = useTransactions({ accountId: account.accountId, limit: CHART_WINDOW });
  const flagged = (history.data?.items ?? []).filter((t) => t.riskLevel === "HIGH" || t.riskLevel === "MEDIUM");
  return (
    <>
      <div className="stats">
        <Stat
          label="Balance"
          value={formatMoney(account.balance, account.currency)}
          hint={`${humanise(account.accountType)} · ${account.homeCountry}`}
        />
        <Stat
          label="Account risk"
          value={<RiskBadge level={account.riskLevel} score={account.riskScore} />}
          hint={account.lastScoredAt ? `scored ${formatAge(account.lastScoredAt)}` : "not scored yet"}
        />
        <Stat
          label="Status"
          value={account.isStale ? "Waiting" : "Up to date"}
          hint={account.isStale ? "changed since its last run" : "scored after its last change"}
        />
        <Stat
          label="Open since"
          value={formatDateTime(account.createdAt).slice(0, 10)}
          hint={`updated ${formatAge(account.updatedAt)}`}
        />
      </div>
      <Panel
        title="Transactions over time"
        actions={<span className="hint">dots: amounts by risk, large red: high risk · line: balance</span>}
      >
        <div style={{ height: 280 }}>
          <QueryView query={history}>
            {(data) => (
              <AccountActivityChart transactions={data.items} balance={account.balance} currency={account.currency} />
            )}
          </QueryView>
        </div>
      </Panel>
      <Panel
        title={`Anomalies (${flagged.length}${history.data?.nextCursor ? ` in the newest ${CHART_WINDOW}` : ""})`}
        flush
      >
        <QueryView
          query={history}
          isEmpty={() => flagged.length === 0}
          empty={<EmptyState title="No medium or high risk transactions" />}
        >
          {() => <AnomalyList items={flagged} />}
        </QueryView>
      </Panel>
      <AccountTransactions accountId={account.accountId} />
    </>
  );
}

function AnomalyList({ items }: { items: Transaction[] }) {
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th>Time</th>
            <th className="num hide-phone">Amount</th>
            <th>Risk</th>
            <th className="hide-phone">Why</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.transactionId}>
              <td className="nowrap">
                <Link to="/transactions/$transactionId" params={{ transactionId: t.transactionId }}>
                  {formatDateTime(t.timestamp)}
                </Link>
                <div className="hint show-phone">
                  <strong>{formatMoney(t.amount, t.currency)}</strong> · {t.reasons?.join("; ")}
                </div>
              </td>
              <td className="num hide-phone">{formatMoney(t.amount, t.currency)}</td>
              <td>
                <RiskBadge level={t.riskLevel} score={t.riskScore} />
              </td>
              <td className="hide-phone">{t.reasons?.join("; ") || `score ${formatScore(t.riskScore)}`}</td>
              <td>
                <FeedbackButtons transaction={t} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AccountTransactions({ accountId }: { accountId: string }) {
  const pager = useCursorPager(accountId);
  const query = useTransactions({ accountId, cursor: pager.cursor, limit: 25 });
  return (
    <Panel title="All transactions" flush>
      <QueryView query={query} isEmpty={(d) => d.items.length === 0} empty={<EmptyState title="No transactions yet" />}>
        {(data) => (
          <>
            <TransactionsTable items={data.items} showAccount={false} />
            <Pager
              page={pager.page}
              count={data.items.length}
              nextCursor={data.nextCursor}
              onNext={pager.next}
              onPrevious={pager.previous}
              busy={query.isFetching}
            />
          </>
        )}
      </QueryView>
    </Panel>
  );
}
