import { Link, Outlet, createRootRoute } from "@tanstack/react-router";
import { useHealth } from "../api/queries";
import { useServices } from "../app";
import { useSessionState } from "../auth/hooks";
import { AlertBell } from "../components/AlertBell";
import { EmptyState, ErrorState } from "../components/ui";
import { healthProblem } from "../lib/health";

export const Route = createRootRoute({
  component: Shell,
  notFoundComponent: () => (
    <div className="page">
      <EmptyState title="No such page">
        <Link to="/">Back to the overview</Link>
      </EmptyState>
    </div>
  ),
  errorComponent: ({ error, reset }) => (
    <div className="page">
      <ErrorState error={error} onRetry={reset} />
    </div>
  ),
});

const NAV = [
  { to: "/", label: "Overview", exact: true },
  { to: "/transactions", label: "Transactions" },
  { to: "/accounts", label: "Accounts" },
  { to: "/anomalies", label: "Anomalies" },
  { to: "/runs", label: "Runs" },
  { to: "/model", label: "Model" },
  { to: "/docs", label: "API" },
] as const;

function Shell() {
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-top">
          <Link to="/" className="brand">
            <img src="/favicon.svg" alt="" />
            <span>Isoflow</span>
          </Link>
          <AlertBell />
        </div>
        <nav className="nav" aria-label="Main">
          {NAV.map((item) => (
            <Link
              key={item.to}
              to={item.to}
              activeOptions={{ exact: "exact" in item }}
              activeProps={{ className: "active" }}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <SidebarFoot />
      </aside>
      <main className="main">
        <ApiDownBanner />
        <Outlet />
      </main>
    </div>
  );
}

function SidebarFoot() {
  const { config } = useServices();
  const health = useHealth();
  const state = health.isPending ? "busy" : health.isError ? "bad" : "ok";
  return (
    <div className="sidebar-foot">
      <span className="health" data-testid="api-health">
        <span className={`dot ${state}`} />
        {state === "ok" ? "API healthy" : state === "bad" ? "API unavailable" : "Checking API"}
      </span>
      <span>{config.environment === "aws" ? `AWS ${config.region ?? ""}` : "Local stack"}</span>
      <SignedInUser />
    </div>
  );
}

function SignedInUser() {
  const { session } = useServices();
  const state = useSessionState(session);
  if (!session || state?.status !== "signedIn") return null;
  const { email, role } = state.identity;
  return (
    <span className="sidebar-user" data-testid="signed-in-user">
      <span className="who">{email}</span>
      <span>
        {role === "admin" ? "Administrator" : role === "analyst" ? "Analyst" : "No role: ask an administrator"}
      </span>
      <button type="button" className="small" onClick={() => void session.signOut()}>
        Sign out
      </button>
    </span>
  );
}

function ApiDownBanner() {
  const health = useHealth();
  if (!health.isError) return null;
  const problem = healthProblem(health.error);
  return (
    <div className={`banner ${problem.tone}`} role="alert" style={{ margin: "12px 24px 0", borderRadius: 6 }}>
      <span>
        <strong>{problem.title}</strong> {problem.detail}
      </span>
      <button type="button" className="small" onClick={() => void health.refetch()}>
        Check again
      </button>
    </div>
  );
}
