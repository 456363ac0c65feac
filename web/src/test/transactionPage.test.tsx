// @vitest-environment jsdom
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Transaction } from "../api/types";
import { renderApp } from "./renderApp";

const flagged = {
  transactionId: "txn_0123456789abcdef0123",
  accountId: "acc_0123456789abcdef",
  transactionType: "PURCHASE",
  amount: 1999.99,
  currency: "GBP",
  merchant: "LojaTech",
  timestamp: "2026-11-24T03:02:00Z",
  riskScore: 0.81,
  riskLevel: "HIGH",
  isAnomaly: true,
  reasons: ["amount 43× this account's median (1999.99 vs 46.00)"],
  scoredAt: "2026-11-24T03:10:00Z",
  modelVersion: "iforest-4/account+population-abc",
  createdAt: "2026-11-24T03:02:00Z",
  updatedAt: "2026-11-24T03:02:00Z",
} as Transaction;

describe("the transaction page", () => {
  it("records a verdict with the analyst's note", async () => {
    const recordFeedback = vi.fn().mockResolvedValue(flagged);
    renderApp(`/transactions/${flagged.transactionId}`, {
      getTransaction: vi.fn().mockResolvedValue(flagged),
      recordFeedback,
    });
    await userEvent.type(await screen.findByLabelText("Verdict note"), "  customer confirmed the card was stolen ");
    await userEvent.click(screen.getByRole("button", { name: "Confirm fraud" }));
    await waitFor(() =>
      expect(recordFeedback).toHaveBeenCalledWith(
        flagged.transactionId,
        "CONFIRMED",
        "customer confirmed the card was stolen",
      ),
    );
  });

  it("shows the verdict's note, who gave it and when it became known, and saves a changed note", async () => {
    const judged = {
      ...flagged,
      feedback: {
        verdict: "CONFIRMED",
        note: "chargeback",
        at: "2026-11-24T12:00:00Z",
        by: "import",
        knownAt: "2026-11-20T08:00:00Z",
      },
    } as Transaction;
    const recordFeedback = vi.fn().mockResolvedValue(judged);
    renderApp(`/transactions/${flagged.transactionId}`, {
      getTransaction: vi.fn().mockResolvedValue(judged),
      recordFeedback,
    });
    const given = await screen.findByTestId("verdict-given");
    expect(given.textContent).toMatch(/by import, known 2026-11-20 .*: “chargeback”$/);
    expect(screen.queryByRole("button", { name: "Save note" })).toBeNull();
    const note = screen.getByLabelText("Verdict note");
    await userEvent.clear(note);
    await userEvent.type(note, "chargeback, second one this month");
    await userEvent.click(screen.getByRole("button", { name: "Save note" }));
    await waitFor(() =>
      expect(recordFeedback).toHaveBeenCalledWith(
        flagged.transactionId,
        "CONFIRMED",
        "chargeback, second one this month",
      ),
    );
  });

  it("shows the IsolationForest's own score beside one learnt from verdicts", async () => {
    const learnt = {
      ...flagged,
      baseScore: 0.36,
      modelVersion: "iforest-4/account+population-abc+verdicts-0a1b2c3d4e5f",
      reasons: ["9 confirmed frauds at this merchant in the last 7 days"],
    } as Transaction;
    renderApp(`/transactions/${flagged.transactionId}`, { getTransaction: vi.fn().mockResolvedValue(learnt) });
    expect((await screen.findByTestId("base-score")).textContent).toMatch(/IsolationForest alone gave 0\.36/);
    expect(screen.getByText("9 confirmed frauds at this merchant in the last 7 days")).toBeTruthy();
  });

  it("has no base-score line for a score the IsolationForest gave alone", async () => {
    renderApp(`/transactions/${flagged.transactionId}`, { getTransaction: vi.fn().mockResolvedValue(flagged) });
    await screen.findByText("amount 43× this account's median (1999.99 vs 46.00)");
    expect(screen.queryByTestId("base-score")).toBeNull();
  });

  it("shows the account by name with its home country, and every verdict given, newest first", async () => {
    const named = { ...flagged, accountName: "Ada Lovelace", homeCountry: "GB" } as Transaction;
    const request = vi.fn().mockImplementation(async (_method: string, path: string) =>
      path.startsWith(`/transactions/${flagged.transactionId}/audit`)
        ? {
            items: [
              {
                action: "verdict",
                at: "2026-11-25T09:00:00Z",
                entityId: flagged.transactionId,
                entityType: "transaction",
                subject: "sub-2",
                name: "ben@bank.example",
                fields: { verdict: "NOT_FRAUD", note: "customer was travelling" },
              },
              { action: "changed", at: "2026-11-24T20:00:00Z", subject: "sub-1", fields: { amount: 12 } },
              {
                action: "verdict",
                at: "2026-11-24T12:00:00Z",
                entityId: flagged.transactionId,
                entityType: "transaction",
                subject: "sub-1",
                name: "ana@bank.example",
                fields: { verdict: "CONFIRMED", note: "card reported stolen" },
              },
            ],
            nextCursor: null,
          }
        : Promise.reject(new Error(`unexpected ${path}`)),
    );
    renderApp(`/transactions/${flagged.transactionId}`, { getTransaction: vi.fn().mockResolvedValue(named), request });

    expect(await screen.findByRole("link", { name: "Ada Lovelace" })).toHaveAttribute(
      "href",
      "/accounts/acc_0123456789abcdef",
    );
    expect(screen.getByTestId("account-hint").textContent).toBe("GB · acc_0123456789abcdef");
    const history = await screen.findByTestId("verdict-history");
    const entries = Array.from(history.querySelectorAll("li")).map((li) => li.textContent);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatch(/^Not fraud.*by ben@bank\.example.*customer was travelling/);
    expect(entries[1]).toMatch(/^Confirmed fraud.*by ana@bank\.example.*card reported stolen/);
  });
});
