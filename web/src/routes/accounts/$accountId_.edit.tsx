import { Link, createFileRoute, useNavigate } from "@tanstack/react-router";
import { AdminOnly } from "../../auth/AdminOnly";
import { useAccount, useUpdateAccount } from "../../api/queries";
import type { Account } from "../../api/types";
import { AccountForm } from "../../components/AccountForm";
import { EmptyState, Panel, QueryView } from "../../components/ui";
import type { AccountPatch } from "../../lib/accountForm";

// "$accountId_": a page of its own at /accounts/{id}/edit, not drawn inside the account's page.
export const Route = createFileRoute("/accounts/$accountId_/edit")({ component: EditAccountPage });

function EditAccountPage() {
  const { accountId } = Route.useParams();
  const account = useAccount(accountId);
  return (
    <div className="page" style={{ maxWidth: 900 }}>
      <div>
        <div className="crumbs">
          <Link to="/accounts">Accounts</Link> /{" "}
          <Link to="/accounts/$accountId" params={{ accountId }}>
            {account.data?.name ?? accountId}
          </Link>{" "}
          /
        </div>
        <h1>Edit account</h1>
      </div>
      <AdminOnly otherwise={<EmptyState title="Only administrators change accounts" />}>
        <QueryView query={account} loadingRows={4}>
          {(data) => <EditAccount account={data} />}
        </QueryView>
      </AdminOnly>
    </div>
  );
}

function EditAccount({ account }: { account: Account }) {
  const update = useUpdateAccount(account.accountId);
  const navigate = useNavigate();
  const back = () => navigate({ to: "/accounts/$accountId", params: { accountId: account.accountId } });
  return (
    <Panel title="Details">
      <AccountForm
        initial={account}
        submitLabel="Save changes"
        busy={update.isPending}
        onCancel={() => void back()}
        onSubmit={async (body) => {
          const patch = body as AccountPatch;
          if (Object.keys(patch).length > 0) await update.mutateAsync(patch);
          await back();
        }}
      />
    </Panel>
  );
}
