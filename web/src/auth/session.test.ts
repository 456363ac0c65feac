import { describe, expect, it, vi } from "vitest";
import {
  type Authenticator,
  AuthSession,
  type Clock,
  REFRESH_MARGIN_S,
  type Tokens,
  claimsOf,
  roleOf,
} from "./session";

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** An unsigned token with these claims: the session reads claims, the API checks signatures. */
function idToken(claims: Record<string, unknown>): string {
  return `${base64url({ alg: "RS256", kid: "k" })}.${base64url(claims)}.signature`;
}

function tokens(exp: number, groups: string[] = ["analysts"], refreshToken = "refresh-1"): Tokens {
  return { idToken: idToken({ exp, "cognito:groups": groups, token_use: "id" }), accessToken: "access", refreshToken };
}

/** A clock whose time and timers the test moves. */
function fakeClock(startMs: number) {
  let now = startMs;
  const timers: { at: number; callback: () => void; handle: number }[] = [];
  let next = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const handle = next++;
      timers.push({ at: now + ms, callback, handle });
      return handle;
    },
    clearTimeout: (handle) => {
      const index = timers.findIndex((t) => t.handle === handle);
      if (index >= 0) timers.splice(index, 1);
    },
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.callback();
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { clock, advance, pending: () => timers.length };
}

function fakeAuthenticator(overrides: Partial<Authenticator> = {}): Authenticator {
  return {
    signIn: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: tokens(4_000) }),
    completeNewPassword: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: tokens(4_000) }),
    answerTotp: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: tokens(4_000) }),
    completeTotpSetup: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: tokens(4_000) }),
    refresh: vi.fn().mockResolvedValue(tokens(8_000)),
    signOut: vi.fn().mockResolvedValue(undefined),
    ...overrides,
  };
}

describe("roles from the ID token", () => {
  it("reads the claims of a token", () => {
    expect(claimsOf(idToken({ sub: "u-1", "cognito:groups": ["admins"] }))).toEqual({
      sub: "u-1",
      "cognito:groups": ["admins"],
    });
  });

  it("takes the greatest role among the groups, in any of the shapes the claim comes in", () => {
    expect(roleOf({ "cognito:groups": ["analysts"] })).toBe("analyst");
    expect(roleOf({ "cognito:groups": ["analysts", "admins"] })).toBe("admin");
    expect(roleOf({ "cognito:groups": "analysts,admins" })).toBe("admin");
    expect(roleOf({ "cognito:groups": ["auditors"] })).toBeNull();
    expect(roleOf({})).toBeNull();
  });
});

describe("AuthSession", () => {
  it("signs in, names the user and role, and hands the ID token to the API", async () => {
    const { clock } = fakeClock(1_000_000);
    const admin = tokens(4_000, ["admins"]);
    const session = new AuthSession(
      fakeAuthenticator({ signIn: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: admin }) }),
      clock,
    );
    const seen: string[] = [];
    session.subscribe(() => seen.push(session.getState().status));

    await session.signIn("ada@example.com", "pw");

    expect(session.getState()).toEqual({
      status: "signedIn",
      identity: { email: "ada@example.com", role: "admin", expiresAt: 4_000 },
    });
    expect(seen).toEqual(["signedIn"]);
    expect(await session.idToken()).toBe(admin.idToken);
  });

  it("leaves a refused sign-in signed out, for the form to show the error", async () => {
    const session = new AuthSession(
      fakeAuthenticator({ signIn: vi.fn().mockRejectedValue(new Error("Incorrect username or password.")) }),
    );
    await expect(session.signIn("ada@example.com", "wrong")).rejects.toThrow("Incorrect username or password.");
    expect(session.getState().status).toBe("signedOut");
    expect(await session.idToken()).toBeUndefined();
  });

  it("asks a user with a temporary password for a new one before signing in", async () => {
    const authenticator = fakeAuthenticator({ signIn: vi.fn().mockResolvedValue({ kind: "newPasswordRequired" }) });
    const session = new AuthSession(authenticator, fakeClock(1_000_000).clock);
    await session.signIn("ada@example.com", "temporary");
    expect(session.getState()).toEqual({ status: "newPasswordRequired", email: "ada@example.com" });
    await session.completeNewPassword("a-new-Password-1");
    expect(authenticator.completeNewPassword).toHaveBeenCalledWith("a-new-Password-1");
    expect(session.getState().status).toBe("signedIn");
  });

  it("asks for the authenticator app's code, takes another after a wrong one, then signs in", async () => {
    const answerTotp = vi
      .fn()
      .mockRejectedValueOnce(new Error("Invalid code received for user"))
      .mockResolvedValueOnce({ kind: "signedIn", tokens: tokens(4_000) });
    const authenticator = fakeAuthenticator({
      signIn: vi.fn().mockResolvedValue({ kind: "totpRequired" }),
      answerTotp,
    });
    const session = new AuthSession(authenticator, fakeClock(1_000_000).clock);
    await session.signIn("ada@example.com", "pw");
    expect(session.getState()).toEqual({ status: "totpRequired", email: "ada@example.com" });

    await expect(session.answerTotp("000000")).rejects.toThrow("Invalid code");
    expect(session.getState()).toEqual({ status: "totpRequired", email: "ada@example.com" });
    expect(await session.idToken()).toBeUndefined();

    await session.answerTotp("123456");
    expect(answerTotp).toHaveBeenLastCalledWith("123456");
    expect(session.getState().status).toBe("signedIn");
  });

  it("sets up an authenticator app where the pool requires one, after a new password", async () => {
    const authenticator = fakeAuthenticator({
      signIn: vi.fn().mockResolvedValue({ kind: "newPasswordRequired" }),
      completeNewPassword: vi.fn().mockResolvedValue({ kind: "totpSetup", secret: "JBSWY3DPEHPK3PXP" }),
    });
    const session = new AuthSession(authenticator, fakeClock(1_000_000).clock);
    await session.signIn("ada@example.com", "temporary");
    await session.completeNewPassword("a-new-Password-1");
    expect(session.getState()).toEqual({ status: "totpSetup", email: "ada@example.com", secret: "JBSWY3DPEHPK3PXP" });

    await session.completeTotpSetup("654321");
    expect(authenticator.completeTotpSetup).toHaveBeenCalledWith("654321");
    expect(session.getState()).toMatchObject({ status: "signedIn", identity: { email: "ada@example.com" } });
  });

  it("answers only the challenge Cognito asked for, and can start over", async () => {
    const authenticator = fakeAuthenticator({ signIn: vi.fn().mockResolvedValue({ kind: "totpRequired" }) });
    const session = new AuthSession(authenticator, fakeClock(1_000_000).clock);
    await expect(session.answerTotp("123456")).rejects.toThrow("Cognito did not ask for this");
    await session.signIn("ada@example.com", "pw");
    await expect(session.completeTotpSetup("123456")).rejects.toThrow("Cognito did not ask for this");
    expect(authenticator.completeTotpSetup).not.toHaveBeenCalled();

    session.startOver();
    expect(session.getState()).toEqual({ status: "signedOut", message: undefined });
  });

  it("refreshes the tokens before the ID token expires, keeping the refresh token", async () => {
    // Signed in at t=1000 s with a token expiring at t=4000 s.
    const { clock, advance } = fakeClock(1_000_000);
    const refreshed = { ...tokens(8_000), refreshToken: "" };
    const authenticator = fakeAuthenticator({ refresh: vi.fn().mockResolvedValue(refreshed) });
    const session = new AuthSession(authenticator, clock);
    await session.signIn("ada@example.com", "pw");

    await advance((3_000 - REFRESH_MARGIN_S - 1) * 1000);
    expect(authenticator.refresh).not.toHaveBeenCalled();
    await advance(1000);
    expect(authenticator.refresh).toHaveBeenCalledWith("ada@example.com", "refresh-1");
    expect(await session.idToken()).toBe(refreshed.idToken);

    // The next refresh uses the refresh token kept from sign-in.
    await advance((4_000 - REFRESH_MARGIN_S) * 1000);
    expect(authenticator.refresh).toHaveBeenLastCalledWith("ada@example.com", "refresh-1");
  });

  it("refreshes a token about to expire before the API gets it", async () => {
    const { clock } = fakeClock(1_000_000);
    const fresh = tokens(9_000);
    const authenticator = fakeAuthenticator({
      signIn: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: tokens(1_000 + REFRESH_MARGIN_S - 10) }),
      refresh: vi.fn().mockResolvedValue(fresh),
    });
    const session = new AuthSession(authenticator, clock);
    await session.signIn("ada@example.com", "pw");
    const [first, second] = await Promise.all([session.idToken(), session.idToken()]);
    expect(first).toBe(fresh.idToken);
    expect(second).toBe(fresh.idToken);
    expect(authenticator.refresh).toHaveBeenCalledTimes(1);
  });

  it("signs out with a message when the refresh is refused", async () => {
    const { clock, advance } = fakeClock(1_000_000);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const session = new AuthSession(
      fakeAuthenticator({ refresh: vi.fn().mockRejectedValue(new Error("Refresh Token has expired")) }),
      clock,
    );
    await session.signIn("ada@example.com", "pw");
    await advance(3_000 * 1000);
    expect(session.getState()).toEqual({ status: "signedOut", message: "Your session has ended. Sign in again." });
    expect(await session.idToken()).toBeUndefined();
  });

  it("forgets the tokens and stops refreshing on sign-out, revoking the refresh token", async () => {
    const { clock, pending } = fakeClock(1_000_000);
    const authenticator = fakeAuthenticator();
    const session = new AuthSession(authenticator, clock);
    await session.signIn("ada@example.com", "pw");
    expect(pending()).toBe(1);

    await session.signOut();

    expect(session.getState()).toEqual({ status: "signedOut", message: undefined });
    expect(await session.idToken()).toBeUndefined();
    expect(pending()).toBe(0);
    expect(authenticator.signOut).toHaveBeenCalledWith("ada@example.com");
  });

  it("ends the session when the API refuses its token", async () => {
    const session = new AuthSession(fakeAuthenticator(), fakeClock(1_000_000).clock);
    await session.signIn("ada@example.com", "pw");
    session.expired();
    expect(session.getState()).toEqual({ status: "signedOut", message: "Your session has ended. Sign in again." });
  });
});
