// @vitest-environment jsdom
import { act, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../api/client";
import { AppContext } from "../app";
import { DEFAULT_CONFIG } from "../config";
import { AdminOnly } from "./AdminOnly";
import { type Authenticator, AuthSession } from "./session";

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function sessionFor(groups: string[]): AuthSession {
  const idToken = `${base64url({ alg: "RS256" })}.${base64url({ exp: Math.floor(Date.now() / 1000) + 3600, "cognito:groups": groups })}.sig`;
  const authenticator: Authenticator = {
    signIn: vi.fn().mockResolvedValue({ kind: "signedIn", tokens: { idToken, accessToken: "a", refreshToken: "r" } }),
    completeNewPassword: vi.fn(),
    answerTotp: vi.fn(),
    completeTotpSetup: vi.fn(),
    refresh: vi.fn(),
    signOut: vi.fn().mockResolvedValue(undefined),
  };
  return new AuthSession(authenticator);
}

function renderWith(session: AuthSession | undefined) {
  return render(
    <AppContext.Provider value={{ api: {} as ApiClient, config: DEFAULT_CONFIG, session }}>
      <AdminOnly otherwise={<span>read only</span>}>
        <button type="button">Delete</button>
      </AdminOnly>
    </AppContext.Provider>,
  );
}

describe("AdminOnly", () => {
  it("shows admin actions when there is no sign-in, as the local stack acts for its administrator", () => {
    renderWith(undefined);
    expect(screen.getByRole("button", { name: "Delete" })).toBeTruthy();
  });

  it("hides them from an analyst and shows them to an admin", async () => {
    const analyst = sessionFor(["analysts"]);
    await analyst.signIn("ana@example.com", "pw");
    const { unmount } = renderWith(analyst);
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
    expect(screen.getByText("read only")).toBeTruthy();
    unmount();
    await analyst.signOut();

    const admin = sessionFor(["admins"]);
    await admin.signIn("ada@example.com", "pw");
    renderWith(admin);
    expect(screen.getByRole("button", { name: "Delete" })).toBeTruthy();
    await act(() => admin.signOut());
    expect(screen.queryByRole("button", { name: "Delete" })).toBeNull();
  });
});
