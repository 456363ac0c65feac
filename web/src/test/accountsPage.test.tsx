// @vitest-environment jsdom
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../api/types";
import { renderApp } from "./renderApp";

const account = {
  accountId: "acc_0123456789abcdef",
  name: "Ada Lovelace",
  accountType: "CHECKING",
  currency: "GBP",
  homeCountry: "GB",
  balance: 2500,
  isStale: false,
  latestAt: "2026-12-01T10:00:00Z",
  createdAt: "2026-11-01T00:00:00Z",
  updatedAt: "2026-12-01T10:00:00Z",
} as Account;

describe("the Accounts list", () => {
  it("searches by name once the typing pauses, and sorts through the API", async () => {
    const listAccounts = vi.fn().mockResolvedValue({ items: [account], nextCursor: null });
    const { router } = renderApp("/accounts", { listAccounts });
    await screen.findByRole("link", { name: "Ada Lovelace" });
    expect(listAccounts).toHaveBeenLastCalledWith(expect.objectContaining({ sort: "name", order: "asc" }));

    await userEvent.type(screen.getByLabelText("Name"), "ada lo");
    await waitFor(() => expect(router.state.location.search).toMatchObject({ q: "ada lo" }));
    expect(listAccounts).toHaveBeenLastCalledWith(expect.objectContaining({ q: "ada lo" }));
    expect(listAccounts.mock.calls.filter(([params]) => params.q === "a")).toEqual([]);

    await userEvent.selectOptions(screen.getByLabelText("Sort by"), "lastActivity");
    await waitFor(() =>
      expect(listAccounts).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: "ada lo", sort: "lastActivity", order: "desc" }),
      ),
    );
    expect(screen.getByRole("note").textContent).toMatch(/Only accounts with transactions/);
    await userEvent.selectOptions(screen.getByLabelText("Order"), "Oldest first");
    await waitFor(() =>
      expect(listAccounts).toHaveBeenLastCalledWith(expect.objectContaining({ sort: "lastActivity", order: "asc" })),
    );
    expect(screen.getByRole("columnheader", { name: "Last activity" })).toBeInTheDocument();
  });
});
