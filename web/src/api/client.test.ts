import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError } from "./client";

function respond(status: number, body: unknown) {
  return vi.fn().mockResolvedValue(new Response(body === undefined ? null : JSON.stringify(body), { status }));
}

describe("ApiClient", () => {
  it("sends JSON to the configured base URL with an idempotency key on create", async () => {
    const fetcher = respond(201, { transactionId: "txn_1" });
    const api = new ApiClient({ baseUrl: "https://example.test/api/", fetcher });
    await api.createTransaction({ accountId: "acc_1", transactionType: "PURCHASE", amount: 12.5 });
    const [url, init] = fetcher.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("https://example.test/api/transactions");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({ accountId: "acc_1", transactionType: "PURCHASE", amount: 12.5 });
    expect((init.headers as Record<string, string>)["Idempotency-Key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends the signed-in user's ID token as a bearer token", async () => {
    const fetcher = respond(200, { items: [], nextCursor: null });
    const api = new ApiClient({ baseUrl: "/api", fetcher, token: async () => "id-token" });
    await api.listAccounts();
    const [, init] = fetcher.mock.calls[0] as [string, RequestInit];
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer id-token");
  });

  it("sends no Authorization header without sign-in", async () => {
    const fetcher = respond(200, { items: [], nextCursor: null });
    await new ApiClient({ baseUrl: "/api", fetcher }).listAccounts();
    const [, init] = fetcher.mock.calls[0] as [string, RequestInit];
    expect(init.headers as Record<string, string>).not.toHaveProperty("Authorization");
  });

  it("reports a refused token (401) and raises the error", async () => {
    const onUnauthorized = vi.fn();
    const api = new ApiClient({
      baseUrl: "/api",
      fetcher: respond(401, { message: "Unauthorized", errors: [] }),
      token: async () => "old",
      onUnauthorized,
    });
    const error = await api.listAccounts().catch((e) => e);
    expect(error.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("raises the API's error with its field errors", async () => {
    const api = new ApiClient({
      baseUrl: "/api",
      fetcher: respond(422, { message: "invalid request", errors: [{ field: "amount", message: "must be positive" }] }),
    });
    const error = await api
      .createTransaction({ accountId: "acc_1", transactionType: "PURCHASE", amount: -1 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.fieldErrors).toEqual([{ field: "amount", message: "must be positive" }]);
  });

  it("reports an unreachable API as status 0", async () => {
    const api = new ApiClient({
      baseUrl: "/api",
      fetcher: vi.fn().mockRejectedValue(new TypeError("Failed to fetch")),
    });
    const error = await api.health().catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.unreachable).toBe(true);
  });

  it("accepts an empty body on delete", async () => {
    const api = new ApiClient({ baseUrl: "/api", fetcher: respond(204, undefined) });
    await expect(api.deleteTransaction("txn_1")).resolves.toBeUndefined();
  });
});
