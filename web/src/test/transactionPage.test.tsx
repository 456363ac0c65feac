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
});
