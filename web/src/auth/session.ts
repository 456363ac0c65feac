/**
 * The signed-in user: tokens held in memory only (never localStorage or sessionStorage, so a script injected
 * into another tab or a later visit finds nothing), refreshed before the ID token expires, cleared on sign-out.
 * Cognito itself sits behind `Authenticator`, so this logic runs in tests against a fake.
 */

export type Role = "analyst" | "admin";

/** Cognito group -> role, as the API maps them. */
export const GROUP_ROLES: Record<string, Role> = { analysts: "analyst", admins: "admin" };

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * What a step of signing in answers: tokens, or what Cognito asks for next. A user with a temporary password
 * chooses a new one; a user with an authenticator app gives its code (TOTP); a user without one, where the user
 * pool requires a second factor, adds the `secret` key to an app and gives its first code.
 */
export type SignInResult =
  | { kind: "signedIn"; tokens: Tokens }
  | { kind: "newPasswordRequired" }
  | { kind: "totpRequired" }
  | { kind: "totpSetup"; secret: string };

export interface Authenticator {
  signIn(email: string, password: string): Promise<SignInResult>;
  completeNewPassword(newPassword: string): Promise<SignInResult>;
  answerTotp(code: string): Promise<SignInResult>;
  completeTotpSetup(code: string): Promise<SignInResult>;
  refresh(email: string, refreshToken: string): Promise<Tokens>;
  /** Revokes the refresh token where Cognito can; the session is cleared whatever it answers. */
  signOut(email: string): Promise<void>;
}

export interface Identity {
  email: string;
  role: Role | null;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type SessionState =
  | { status: "signedOut"; message?: string }
  | { status: "newPasswordRequired"; email: string }
  | { status: "totpRequired"; email: string }
  | { status: "totpSetup"; email: string; secret: string }
  | { status: "signedIn"; identity: Identity };

/** The states in which Cognito waits for the user's answer to a challenge. */
type Challenged = Extract<SessionState, { email: string }>;

/** The claims of a JWT, without checking its signature (the API does that; this only reads the name and role). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  const base64 = payload
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(payload.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** The greatest role among the user's groups; null for a user in none. */
export function roleOf(claims: Record<string, unknown>): Role | null {
  const value = claims["cognito:groups"];
  const groups = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(/[,\s]+/) : [];
  const roles = groups.map((group) => GROUP_ROLES[group]).filter((role): role is Role => role !== undefined);
  return roles.includes("admin") ? "admin" : roles.includes("analyst") ? "analyst" : null;
}

/** Who signed in: named by the email they signed in with, which their refreshes use too. */
export function identityOf(tokens: Tokens, email: string): Identity {
  const claims = claimsOf(tokens.idToken);
  return {
    email,
    role: roleOf(claims),
    expiresAt: typeof claims.exp === "number" ? claims.exp : 0,
  };
}

/** Refresh this long before the ID token expires, so a request never carries one that is about to. */
export const REFRESH_MARGIN_S = 5 * 60;

export interface Clock {
  now(): number; // milliseconds
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class AuthSession {
  private state: SessionState = { status: "signedOut" };
  private tokens: Tokens | null = null;
  private refreshTimer: unknown = null;
  private refreshing: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly clock: Clock = systemClock,
  ) {}

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Signs in, or moves on to what Cognito asks for next; a refusal (wrong password or code, unknown user)
   * rejects and leaves the state as it was, for the form to show the error and take another answer.
   */
  async signIn(email: string, password: string): Promise<void> {
    this.follow(await this.authenticator.signIn(email, password), email);
  }

  async completeNewPassword(newPassword: string): Promise<void> {
    const email = this.challenged("newPasswordRequired");
    this.follow(await this.authenticator.completeNewPassword(newPassword), email);
  }

  /** The code the user's authenticator app shows. */
  async answerTotp(code: string): Promise<void> {
    const email = this.challenged("totpRequired");
    this.follow(await this.authenticator.answerTotp(code), email);
  }

  /** The first code of the authenticator app the user just added the secret key to. */
  async completeTotpSetup(code: string): Promise<void> {
    const email = this.challenged("totpSetup");
    this.follow(await this.authenticator.completeTotpSetup(code), email);
  }

  /** Leaves a sign-in half done (a challenge Cognito no longer accepts, or another user), back to its start. */
  startOver(): void {
    if (this.state.status !== "signedIn") this.clear();
  }

  /** The ID token for the API's Authorization header, refreshed first if it is close to expiring. */
  async idToken(): Promise<string | undefined> {
    if (this.state.status !== "signedIn" || !this.tokens) return undefined;
    if (this.secondsLeft() <= REFRESH_MARGIN_S) await this.refresh();
    return this.tokens?.idToken;
  }

  /** Refreshes the tokens; a refused refresh signs the user out with a message saying why. */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async signOut(message?: string): Promise<void> {
    const email = this.state.status === "signedIn" ? this.state.identity.email : undefined;
    const hadTokens = this.tokens !== null;
    this.clear(message);
    if (email && hadTokens) {
      try {
        await this.authenticator.signOut(email);
      } catch (error) {
        console.warn("Cognito did not revoke the refresh token", error);
      }
    }
  }

  /** The API refused the token (401): the session is over. */
  expired(): void {
    if (this.state.status === "signedIn") void this.signOut("Your session has ended. Sign in again.");
  }

  private async doRefresh(): Promise<void> {
    if (this.state.status !== "signedIn" || !this.tokens) return;
    const email = this.state.identity.email;
    try {
      const fresh = await this.authenticator.refresh(email, this.tokens.refreshToken);
      // Cognito answers a refresh without a new refresh token: keep the one we have.
      this.accept({ ...fresh, refreshToken: fresh.refreshToken || this.tokens.refreshToken }, email);
    } catch (error) {
      console.warn("Could not refresh the session", error);
      this.clear("Your session has ended. Sign in again.");
    }
  }

  private challenged(status: Challenged["status"]): string {
    const state = this.state;
    if (state.status !== status || !("email" in state)) throw new Error(`Cognito did not ask for this (${status})`);
    return state.email;
  }

  private follow(result: SignInResult, email: string): void {
    if (result.kind === "signedIn") this.accept(result.tokens, email);
    else if (result.kind === "totpSetup") this.set({ status: "totpSetup", email, secret: result.secret });
    else this.set({ status: result.kind, email });
  }

  private accept(tokens: Tokens, email: string): void {
    this.tokens = tokens;
    this.set({ status: "signedIn", identity: identityOf(tokens, email) });
    this.schedule();
  }

  private schedule(): void {
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer);
    // Timers hold at most 2^31 - 1 ms; a longer delay would fire at once.
    const delayMs = Math.min(Math.max(0, (this.secondsLeft() - REFRESH_MARGIN_S) * 1000), 2 ** 31 - 1);
    this.refreshTimer = this.clock.setTimeout(() => void this.refresh(), delayMs);
  }

  private secondsLeft(): number {
    return this.state.status === "signedIn" ? this.state.identity.expiresAt - this.clock.now() / 1000 : 0;
  }

  private clear(message?: string): void {
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.tokens = null;
    this.set({ status: "signedOut", message });
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
