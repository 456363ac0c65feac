import { describe, expect, it } from "vitest";
import { MemoryStorage } from "./cognito";

describe("MemoryStorage", () => {
  it("keeps what the Cognito client caches in memory, and clears it", () => {
    const storage = new MemoryStorage();
    storage.setItem("CognitoIdentityServiceProvider.client.user.idToken", "token");
    expect(storage.getItem("CognitoIdentityServiceProvider.client.user.idToken")).toBe("token");
    storage.removeItem("CognitoIdentityServiceProvider.client.user.idToken");
    expect(storage.getItem("CognitoIdentityServiceProvider.client.user.idToken")).toBeNull();
    storage.setItem("a", "1");
    storage.clear();
    expect(storage.getItem("a")).toBeNull();
  });
});
