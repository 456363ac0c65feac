import {
  AuthenticationDetails,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { AuthConfig } from "../config";
import type { Authenticator, SignInResult, Tokens } from "./session";

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
 * the same calls reach Cognito in AWS and the local stack's user pool (`endpoint` in /config.json).
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
      user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
        onSuccess: (session) => resolve({ kind: "signedIn", tokens: tokensOf(session) }),
        onFailure: reject,
        newPasswordRequired: () => resolve({ kind: "newPasswordRequired" }),
      }),
    );
  }

  completeNewPassword(newPassword: string): Promise<Tokens> {
    const user = this.user;
    if (!user) return Promise.reject(new Error("sign in first"));
    return new Promise((resolve, reject) =>
      user.completeNewPasswordChallenge(
        newPassword,
        {},
        {
          onSuccess: (session) => resolve(tokensOf(session)),
          onFailure: reject,
        },
      ),
    );
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
