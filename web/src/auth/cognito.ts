import {
  AuthenticationDetails,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type IAuthenticationCallback,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { AuthConfig } from "../config";
import type { Authenticator, SignInResult, Tokens } from "./session";

/** How the user's authenticator app is listed on their Cognito user. */
const TOTP_DEVICE_NAME = "Isoflow dashboard";

/** The library caches the tokens in the storage it is given: memory here, never localStorage. */
export class MemoryStorage implements ICognitoStorage {
  private readonly items = new Map<string, string>();
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  clear(): void {
    this.items.clear();
  }
}

function tokensOf(session: CognitoUserSession): Tokens {
  return {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  };
}

/**
 * Sign-in with SRP against Cognito's API (the password itself is never sent), using AWS's own SRP client:
 * the same calls reach Cognito in AWS and the local stack's user pool (`endpoint` in /config.json). Cognito's
 * challenges on the way (a new password, an authenticator app's code or its setup) are answered on the same
 * CognitoUser, which holds the challenge's session.
 */
export class CognitoAuthenticator implements Authenticator {
  private readonly storage = new MemoryStorage();
  private readonly pool: CognitoUserPool;
  /** The user signing in or signed in: it holds the challenge session and the tokens sign-out revokes. */
  private user: CognitoUser | null = null;

  constructor(config: AuthConfig) {
    this.pool = new CognitoUserPool({
      UserPoolId: config.userPoolId,
      ClientId: config.clientId,
      endpoint: config.endpoint,
      Storage: this.storage,
    });
  }

  private userNamed(email: string): CognitoUser {
    if (this.user?.getUsername() !== email) {
      this.user = new CognitoUser({ Username: email, Pool: this.pool, Storage: this.storage });
    }
    return this.user;
  }

  signIn(email: string, password: string): Promise<SignInResult> {
    const user = new CognitoUser({ Username: email, Pool: this.pool, Storage: this.storage });
    this.user = user;
    user.setAuthenticationFlowType("USER_SRP_AUTH");
    return new Promise((resolve, reject) =>
      user.authenticateUser(
        new AuthenticationDetails({ Username: email, Password: password }),
        this.nextStep(user, resolve, reject),
      ),
    );
  }

  completeNewPassword(newPassword: string): Promise<SignInResult> {
    const user = this.signingIn();
    return new Promise((resolve, reject) =>
      user.completeNewPasswordChallenge(newPassword, {}, this.nextStep(user, resolve, reject)),
    );
  }

  answerTotp(code: string): Promise<SignInResult> {
    const user = this.signingIn();
    return new Promise((resolve, reject) =>
      user.sendMFACode(
        code,
        { onSuccess: (session) => resolve({ kind: "signedIn", tokens: tokensOf(session) }), onFailure: reject },
        "SOFTWARE_TOKEN_MFA",
      ),
    );
  }

  completeTotpSetup(code: string): Promise<SignInResult> {
    const user = this.signingIn();
    // Verifying the app's first code answers Cognito's MFA_SETUP challenge too, and signs the user in.
    return new Promise((resolve, reject) =>
      user.verifySoftwareToken(code, TOTP_DEVICE_NAME, {
        onSuccess: (session) => resolve({ kind: "signedIn", tokens: tokensOf(session) }),
        onFailure: reject,
      }),
    );
  }

  private signingIn(): CognitoUser {
    if (!this.user) throw new Error("sign in first");
    return this.user;
  }

  /** The callbacks of a sign-in step: each of Cognito's answers the user pool can give, as a SignInResult. */
  private nextStep(
    user: CognitoUser,
    resolve: (result: SignInResult) => void,
    reject: (error: unknown) => void,
  ): IAuthenticationCallback {
    return {
      onSuccess: (session) => resolve({ kind: "signedIn", tokens: tokensOf(session) }),
      onFailure: reject,
      newPasswordRequired: () => resolve({ kind: "newPasswordRequired" }),
      totpRequired: () => resolve({ kind: "totpRequired" }),
      // A second factor is required and the user has none yet: Cognito makes the key of a new one.
      mfaSetup: () =>
        user.associateSoftwareToken({
          associateSecretCode: (secret) => resolve({ kind: "totpSetup", secret }),
          onFailure: reject,
        }),
    };
  }

  refresh(email: string, refreshToken: string): Promise<Tokens> {
    const user = this.userNamed(email);
    return new Promise((resolve, reject) =>
      user.refreshSession(
        new CognitoRefreshToken({ RefreshToken: refreshToken }),
        (error, session: CognitoUserSession) => (error ? reject(error) : resolve(tokensOf(session))),
      ),
    );
  }

  signOut(email: string): Promise<void> {
    const user = this.userNamed(email);
    this.user = null;
    return new Promise((resolve, reject) => user.signOut((error?: Error) => (error ? reject(error) : resolve())));
  }
}
