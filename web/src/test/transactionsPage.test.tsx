// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Transaction } from "../api/types";
import { renderApp } from "./renderApp";

const transaction = (id: string, amount: number, riskScore: number | null): Transaction =>
  ({
    transactionId: id,
    accountId: "acc_0123456789abcdef",
    transactionType: "PURCHASE",
    amount,
    currency: "EUR",
    merchant: `Shop ${id}`,
    timestamp: "2026-11-24T10:00:00Z",
    riskScore,
    riskLevel: riskScore === null ? null : riskScore > 0.7 ? "HIGH" : "LOW",
    createdAt: "2026-11-24T10:00:00Z",
    updatedAt: "2026-11-24T10:00:00Z",
  }) as Transaction;

describe("the Transactions page", () => {
  it("asks the API for what the URL's filters say and applies new ones to the URL", async () => {
    const listTransactions = vi.fn().mockResolvedValue({ items: [transaction("txn_a", 10, 0.9)], nextCursor: null });
    const { router } = renderApp("/transactions?riskLevel=HIGH&from=2026-11-01", { listTransactions });

    await screen.findByText("Shop txn_a");
    expect(listTransactions).toHaveBeenLastCalledWith(
      expect.objectContaining({ riskLevel: "HIGH", from: "2026-11-01T00:00:00Z", limit: 50 }),
    );

    await userEvent.selectOptions(screen.getByLabelText("Type"), "DEPOSIT");
    await userEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() =>
      expect(router.state.location.search).toMatchObject({ transactionType: "DEPOSIT", riskLevel: "HIGH" }),
    );
    expect(listTransactions).toHaveBeenLastCalledWith(
      expect.objectContaining({ transactionType: "DEPOSIT", riskLevel: "HIGH" }),
    );
  });

  it("lists newest first as the API does, with no sort of its own, and pages on with the API's cursor", async () => {
    const listTransactions = vi
      .fn()
      .mockResolvedValueOnce({
        items: [transaction("txn_a", 10, 0.2), transaction("txn_b", 500, 0.9)],
        nextCursor: "page-2",
      })
      .mockResolvedValue({ items: [transaction("txn_c", 7, null)], nextCursor: null });
    renderApp("/transactions", { listTransactions });

    const table = await screen.findByTestId("transactions-table");
    expect(screen.getByText("Every transaction, newest first")).toBeInTheDocument();
    expect(within(table).queryAllByRole("button")).toEqual([]);
    const merchants = within(table)
      .getAllByText(/^Shop /)
      .map((cell) => cell.textContent);
    expect(merchants).toEqual(["Shop txn_a", "Shop txn_b"]);

    await userEvent.click(screen.getByRole("button", { name: "Next →" }));
    expect(await screen.findByText("Shop txn_c")).toBeInTheDocument();
    expect(listTransactions).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: "page-2" }));
    expect(screen.getByText(/Page 2/)).toBeInTheDocument();
  });

  it("shows each transaction's account by name, with its home country and id, and its reasons in full", async () => {
    const named = {
      ...transaction("txn_a", 10, 0.9),
      accountName: "Ada Lovelace",
      homeCountry: "GB",
      reasons: ["amount 43× this account's median (1999.99 vs 46.00)", "abroad: BR, home GB"],
    } as Transaction;
    renderApp("/transactions", { listTransactions: vi.fn().mockResolvedValue({ items: [named], nextCursor: null }) });

    const link = await screen.findByRole("link", { name: "Ada Lovelace" });
    expect(link).toHaveAttribute("href", "/accounts/acc_0123456789abcdef");
    expect(screen.getByTestId("account-hint").textContent).toBe("GB · acc_01234567…");
    expect(screen.getByText("amount 43× this account's median (1999.99 vs 46.00)").tagName).toBe("LI");
    expect(screen.getByText("abroad: BR, home GB")).toBeInTheDocument();
  });
});
