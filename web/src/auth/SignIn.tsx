import { type FormEvent, useState } from "react";
import type { AuthSession, SessionState } from "./session";

function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Sign-in failed. Try again.";
}

/** The sign-in page: email and password, then a new password where Cognito asks for one. */
export function SignIn({ session, state }: { session: AuthSession; state: SessionState }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const choosing = state.status === "newPasswordRequired";
  const notice = state.status === "signedOut" ? state.message : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (choosing) await session.completeNewPassword(newPassword);
      else await session.signIn(email.trim(), password);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
      setPassword("");
      setNewPassword("");
    }
  }

  return (
    <div className="sign-in">
      <form className="panel sign-in-form" onSubmit={submit} aria-label="Sign in">
        <div className="brand">
          <img src="/favicon.svg" alt="" />
          <span>Isoflow</span>
        </div>
        <h1>{choosing ? "Choose a new password" : "Sign in"}</h1>
        {notice && !error && (
          <div className="banner warn" role="status">
            {notice}
          </div>
        )}
        {choosing ? (
          <label>
            New password
            <input
              type="password"
              autoComplete="new-password"
              required
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
          </label>
        ) : (
          <>
            <label>
              Email
              <input
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
            <label>
              Password
              <input
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
          </>
        )}
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : choosing ? "Set password and sign in" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
