import { useSyncExternalStore } from "react";
import { useServices } from "../app";
import type { AuthSession, Role, SessionState } from "./session";

const NO_SIGN_IN = (): null => null;
const NEVER = () => () => {};

/** The session's state, re-rendering on every change; null without sign-in. */
export function useSessionState(session: AuthSession | undefined): SessionState | null {
  return useSyncExternalStore(session?.subscribe ?? NEVER, session?.getState ?? NO_SIGN_IN);
}

/**
 * What the user may do. Without sign-in (the local stack's default) the dashboard acts as the API does:
 * for one local administrator. A signed-in user in no group has no role, and the API refuses them everything.
 */
export function useRole(): Role | null {
  const { session } = useServices();
  const state = useSessionState(session);
  if (!session) return "admin";
  return state?.status === "signedIn" ? state.identity.role : null;
}
