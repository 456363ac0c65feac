import type { ReactNode } from "react";
import { useSessionState } from "./hooks";
import type { AuthSession } from "./session";
import { SignIn } from "./SignIn";

/** The dashboard once signed in; the sign-in page until then. Without sign-in, the dashboard at once. */
export function SignedIn({ session, children }: { session: AuthSession | undefined; children: ReactNode }) {
  const state = useSessionState(session);
  if (!session || !state || state.status === "signedIn") return <>{children}</>;
  return <SignIn session={session} state={state} />;
}
