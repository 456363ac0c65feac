import { describe, expect, it } from "vitest";
import type { Transaction } from "../api/types";
import { amountValue, requestBody, valuesOf } from "./transactionForm";

describe("requestBody", () => {
  const stored = {
    transactionId: "txn_1",
    accountId: "acc_1",
    transactionType: "PURCHASE",
    amount: 12.5,
    currency: "EUR",
    merchant: "Corner Grocer",
    timestamp: "2026-11-24T10:00:00Z",
  } as Transaction;

  it("sends only what changed when editing, never the account", () => {
    const initial = valuesOf(stored);
    expect(requestBody({ ...initial, amount: "13.00", merchant: "Corner Grocer" }, initial)).toEqual({ amount: 13 });
  });

  it("sends the time as UTC and codes in capitals", () => {
    const body = requestBody({ ...valuesOf(stored), timestamp: "2026-11-24T09:30", country: "de", currency: "eur" });
    expect(body).toMatchObject({ timestamp: "2026-11-24T09:30:00Z", country: "DE", currency: "EUR" });
  });

  it("leaves an amount that is not a number for the API to name", () => {
    expect(amountValue("12,50")).toBe(12.5);
    expect(amountValue("12.345")).toBe(12.345);
    expect(amountValue("ten")).toBe("ten");
  });
});
