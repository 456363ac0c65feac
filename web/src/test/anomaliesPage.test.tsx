// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Transaction, Verdict } from "../api/types";
import { renderApp } from "./renderApp";

const anomaly = (id: string, hour: number): Transaction =>
  ({
    transactionId: id,
    accountId: `acc_${id}`,
    accountName: `Holder ${id}`,
    homeCountry: "GB",
    transactionType: "PURCHASE",
    amount: 1890,
    currency: "GBP",
    merchant: "Lux Electronics Online",
    timestamp: `2026-12-01T${String(hour).padStart(2, "0")}:00:00Z`,
    riskScore: 0.93,
    riskLevel: "HIGH",
    reasons: ["amount 40× this account's median"],
    createdAt: "2026-12-01T00:00:00Z",
    updatedAt: "2026-12-01T00:00:00Z",
  }) as Transaction;

/** The open queue of the API: an item leaves it once judged. */
function fakeQueue(items: Transaction[]) {
  const judged = new Set<string>();
  const listAnomalies = vi.fn(async () => ({
    items: items.filter((t) => !judged.has(t.transactionId)),
    nextCursor: null,
  }));
  const recordFeedback = vi.fn(async (transactionId: string, verdict: Verdict, note?: string) => {
    judged.add(transactionId);
    const item = items.find((t) => t.transactionId === transactionId) as Transaction;
    return { ...item, feedback: { verdict, note, at: "2026-12-02T00:00:00Z" } } as Transaction;
  });
  return { listAnomalies, recordFeedback };
}

const selectedId = () =>
  screen.getByTestId("anomalies-table").querySelector('tr[aria-selected="true"]')?.getAttribute("data-id");

describe("the Anomalies work queue", () => {
  it("asks the API for the open queue unless the URL says otherwise", async () => {
    const api = fakeQueue([anomaly("a", 3)]);
    renderApp("/anomalies?status=closed&level=MEDIUM&accountId=acc_a&from=2026-12-01", api);
    await screen.findByTestId("anomalies-table");
    expect(api.listAnomalies).toHaveBeenLastCalledWith(
      expect.objectContaining({
        status: "closed",
        riskLevel: "MEDIUM",
        accountId: "acc_a",
        from: "2026-12-01T00:00:00Z",
      }),
    );
    expect(screen.getByRole("tab", { name: "Closed" })).toHaveAttribute("aria-selected", "true");

    await userEvent.click(screen.getByRole("tab", { name: "Open" }));
    await waitFor(() =>
      expect(api.listAnomalies).toHaveBeenLastCalledWith(
        expect.objectContaining({ status: "open", riskLevel: "MEDIUM" }),
      ),
    );
  });

  it("is worked through with the keys: a verdict closes the item and moves on to the next", async () => {
    const api = fakeQueue([anomaly("a", 3), anomaly("b", 2), anomaly("c", 1)]);
    const { router } = renderApp("/anomalies", api);
    await screen.findByTestId("anomalies-table");
    expect(selectedId()).toBe("a");

    await userEvent.keyboard("j");
    expect(selectedId()).toBe("b");
    await userEvent.keyboard("f");
    await waitFor(() => expect(api.recordFeedback).toHaveBeenCalledWith("b", "CONFIRMED", undefined));
    expect(selectedId()).toBe("c");
    // Judged, it stays in its place, closed, though the open queue no longer lists it.
    await waitFor(() => expect(api.listAnomalies).toHaveBeenCalledTimes(2));
    const judged = screen.getByTestId("anomalies-table").querySelector('tr[data-id="b"]') as HTMLElement;
    expect(judged).toHaveClass("closed");
    expect(within(judged).getByText("Confirmed fraud")).toBeInTheDocument();

    await userEvent.keyboard("e");
    await userEvent.keyboard("no fraud, customer travelling");
    expect(api.recordFeedback).toHaveBeenCalledTimes(1);
    await userEvent.keyboard("{Escape}n");
    await waitFor(() =>
      expect(api.recordFeedback).toHaveBeenLastCalledWith("c", "NOT_FRAUD", "no fraud, customer travelling"),
    );

    await userEvent.keyboard("kk");
    expect(selectedId()).toBe("a");
    await userEvent.keyboard("a");
    await waitFor(() => expect(router.state.location.pathname).toBe("/accounts/acc_a"));
  });

  it("shows the keys, and opens the selected transaction with Enter", async () => {
    const api = fakeQueue([anomaly("a", 3)]);
    const { router } = renderApp("/anomalies", api);
    await screen.findByTestId("anomalies-table");
    expect(screen.getByTestId("key-legend").textContent).toContain("mark fraud");

    await userEvent.keyboard("?");
    expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeInTheDocument();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).toBeNull();

    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(router.state.location.pathname).toBe("/transactions/a"));
  });
});
