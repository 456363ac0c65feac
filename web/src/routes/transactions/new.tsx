import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useAccounts, useCreateTransaction } from "../../api/queries";
import type { TransactionInput } from "../../api/types";
import { TransactionForm } from "../../components/TransactionForm";
import { EmptyState, Panel } from "../../components/ui";

export const Route = createFileRoute("/transactions/new")({
  validateSearch: (search: Record<string, unknown>): { accountId?: string } =>
    typeof search.accountId === "string" ? { accountId: search.accountId } : {},
  component: NewTransaction,
});

function NewTransaction() {
  const { accountId } = Route.useSearch();
  const accounts = useAccounts({ limit: 200 });
  const create = useCreateTransaction();
  const navigate = useNavigate();
  return (
    <div className="page" style={{ maxWidth: 900 }}>
      <div>
        <div className="crumbs">
          <Link to="/transactions">Transactions</Link> /
        </div>
        <h1>New transaction</h1>
      </div>
      <AdminOnly otherwise={<EmptyState title="Only administrators create transactions" />}>
        <Panel title="Details">
          <TransactionForm
            accounts={accounts.data?.items}
            prefillAccountId={accountId}
            submitLabel="Create transaction"
            busy={create.isPending}
            onCancel={() => void navigate({ to: "/transactions" })}
            onSubmit={async (body) => {
              const created = await create.mutateAsync(body as TransactionInput);
              await navigate({ to: "/transactions", search: { created: created.transactionId } });
            }}
          />
        </Panel>
      </AdminOnly>
    </div>
  );
}
