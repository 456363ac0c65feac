import { type FormEvent, useState } from "react";
import type { AuthSession, SessionState } from "./session";

function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Sign-in failed. Try again.";
}

/** The key in groups of four, as authenticator apps show keys typed in by hand. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The otpauth link a phone's authenticator app opens to add the key. */
function otpauthUrl(email: string, secret: string): string {
  const label = encodeURIComponent(`Isoflow:${email}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=Isoflow`;
}

/** Where a sign-in stands: its start, or the challenge Cognito answered with. */
type Step = Exclude<SessionState["status"], "signedIn">;

const TITLES: Record<Step, string> = {
  signedOut: "Sign in",
  newPasswordRequired: "Choose a new password",
  totpRequired: "Enter your authenticator code",
  totpSetup: "Set up an authenticator app",
};

const SUBMIT_LABELS: Record<Step, string> = {
  signedOut: "Sign in",
  newPasswordRequired: "Set password and sign in",
  totpRequired: "Verify and sign in",
  totpSetup: "Verify and sign in",
};

/** The six-digit code of an authenticator app. */
function CodeField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <label>
      Code
      <input
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]{6}"
        maxLength={6}
        required
        value={value}
        onChange={(e) => onChange(e.target.value.trim())}
      />
    </label>
  );
}

/**
 * The sign-in page: email and password, then whatever Cognito asks for next: a new password in place of a
 * temporary one, the code of the user's authenticator app, or, where the pool requires a second factor and the
 * user has none, the setup of an authenticator app.
 */
export function SignIn({ session, state }: { session: AuthSession; state: SessionState }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  if (state.status === "signedIn") return null;
  const step = state.status;
  const notice = state.status === "signedOut" ? state.message : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (step === "newPasswordRequired") await session.completeNewPassword(newPassword);
      else if (step === "totpRequired") await session.answerTotp(code);
      else if (step === "totpSetup") await session.completeTotpSetup(code);
      else await session.signIn(email.trim(), password);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
      setPassword("");
      setNewPassword("");
      setCode("");
    }
  }

  function startOver() {
    setError(undefined);
    session.startOver();
  }

  return (
    <div className="sign-in">
      <form className="panel sign-in-form" onSubmit={submit} aria-label="Sign in">
        <div className="brand">
          <img src="/favicon.svg" alt="" />
          <span>Isoflow</span>
        </div>
        <h1>{TITLES[step]}</h1>
        {notice && !error && (
          <div className="banner warn" role="status">
            {notice}
          </div>
        )}
        {step === "signedOut" && (
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
        {step === "newPasswordRequired" && (
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
        )}
        {step === "totpRequired" && (
          <>
            <p>Enter the code your authenticator app shows for Isoflow.</p>
            <CodeField value={code} onChange={setCode} />
          </>
        )}
        {state.status === "totpSetup" && (
          <>
            <p>
              Signing in takes a second factor: add this key to an authenticator app (such as Google Authenticator,
              Microsoft Authenticator or 1Password), then enter the code it shows.
            </p>
            <code className="totp-secret" aria-label="Secret key">
              {grouped(state.secret)}
            </code>
            <a href={otpauthUrl(state.email, state.secret)}>Open in an authenticator app on this device</a>
            <CodeField value={code} onChange={setCode} />
          </>
        )}
        {error && (
          <div className="field-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : SUBMIT_LABELS[step]}
        </button>
        {step !== "signedOut" && (
          <button type="button" onClick={startOver} disabled={busy}>
            Start over
          </button>
        )}
      </form>
    </div>
  );
}
