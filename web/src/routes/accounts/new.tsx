import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useCreateAccount } from "../../api/queries";
import { AccountForm } from "../../components/AccountForm";
import { EmptyState, Panel } from "../../components/ui";
import type { AccountInput } from "../../lib/accountForm";

export const Route = createFileRoute("/accounts/new")({ component: NewAccount });

function NewAccount() {
  const create = useCreateAccount();
  const navigate = useNavigate();
  return (
    <div className="page" style={{ maxWidth: 900 }}>
      <div>
        <div className="crumbs">
          <Link to="/accounts">Accounts</Link> /
        </div>
        <h1>New account</h1>
      </div>
      <AdminOnly otherwise={<EmptyState title="Only administrators open accounts" />}>
        <Panel title="Details">
          <AccountForm
            submitLabel="Create account"
            busy={create.isPending}
            onCancel={() => void navigate({ to: "/accounts" })}
            onSubmit={async (body) => {
              const created = await create.mutateAsync(body as AccountInput);
              await navigate({ to: "/accounts/$accountId", params: { accountId: created.accountId } });
            }}
          />
        </Panel>
      </AdminOnly>
    </div>
  );
}
