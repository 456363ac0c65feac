// @vitest-environment jsdom
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { type Authenticator, AuthSession, type SignInResult } from "./session";
import { SignedIn } from "./SignedIn";

function base64url(value: object): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const SIGNED_IN: SignInResult = {
  kind: "signedIn",
  tokens: {
    idToken: `${base64url({ alg: "RS256" })}.${base64url({ exp: Math.floor(Date.now() / 1000) + 3600, "cognito:groups": ["analysts"] })}.sig`,
    accessToken: "access",
    refreshToken: "refresh",
  },
};

function authenticator(overrides: Partial<Authenticator>): Authenticator {
  return {
    signIn: vi.fn().mockResolvedValue(SIGNED_IN),
    completeNewPassword: vi.fn().mockResolvedValue(SIGNED_IN),
    answerTotp: vi.fn().mockResolvedValue(SIGNED_IN),
    completeTotpSetup: vi.fn().mockResolvedValue(SIGNED_IN),
    refresh: vi.fn(),
    signOut: vi.fn().mockResolvedValue(undefined),
    ...overrides,
  };
}

async function signIn(cognito: Authenticator) {
  const user = userEvent.setup();
  render(
    <SignedIn session={new AuthSession(cognito)}>
      <p>The dashboard</p>
    </SignedIn>,
  );
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), "a-Password-1");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  return user;
}

describe("SignIn", () => {
  it("asks for the authenticator app's code, shows a wrong one's error, and signs in with the right one", async () => {
    const answerTotp = vi
      .fn()
      .mockRejectedValueOnce(new Error("Invalid code received for user"))
      .mockResolvedValueOnce(SIGNED_IN);
    const user = await signIn(
      authenticator({ signIn: vi.fn().mockResolvedValue({ kind: "totpRequired" }), answerTotp }),
    );

    expect(await screen.findByRole("heading", { name: "Enter your authenticator code" })).toBeInTheDocument();
    await user.type(screen.getByLabelText("Code"), "000000");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid code received for user");
    expect(screen.getByLabelText("Code")).toHaveValue("");

    await user.type(screen.getByLabelText("Code"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    expect(await screen.findByText("The dashboard")).toBeInTheDocument();
    expect(answerTotp).toHaveBeenLastCalledWith("123456");
  });

  it("sets up an authenticator app with the key Cognito made, then signs in with its first code", async () => {
    const cognito = authenticator({
      signIn: vi.fn().mockResolvedValue({ kind: "totpSetup", secret: "JBSWY3DPEHPK3PXPJBSW" }),
    });
    const user = await signIn(cognito);

    expect(await screen.findByRole("heading", { name: "Set up an authenticator app" })).toBeInTheDocument();
    expect(screen.getByLabelText("Secret key")).toHaveTextContent("JBSW Y3DP EHPK 3PXP JBSW");
    expect(screen.getByRole("link", { name: /authenticator app on this device/ })).toHaveAttribute(
      "href",
      "otpauth://totp/Isoflow%3Aada%40example.com?secret=JBSWY3DPEHPK3PXPJBSW&issuer=Isoflow",
    );
    await user.type(screen.getByLabelText("Code"), "654321");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    expect(await screen.findByText("The dashboard")).toBeInTheDocument();
    expect(cognito.completeTotpSetup).toHaveBeenCalledWith("654321");
  });

  it("starts over from a challenge, back to the email and password", async () => {
    const user = await signIn(authenticator({ signIn: vi.fn().mockResolvedValue({ kind: "totpRequired" }) }));
    await user.click(await screen.findByRole("button", { name: "Start over" }));
    expect(screen.getByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toBeInTheDocument();
  });
});
