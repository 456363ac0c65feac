// @vitest-environment jsdom
import { screen, render, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { Account, Transaction } from "../api/types";
import { renderApp } from "../test/renderApp";
import { AccountForm } from "./AccountForm";

const account = {
  accountId: "acc_0123456789abcdef",
  name: "Ada Lovelace",
  accountType: "CHECKING",
  currency: "GBP",
  homeCountry: "GB",
  balance: 120.5,
  isStale: true,
  createdAt: "2026-11-24T10:00:00Z",
  updatedAt: "2026-11-24T10:00:00Z",
} as Account;

const LABELS = ["Name", "Type", "Currency", "Home country"];

describe("AccountForm", () => {
  it("shows every field's error at once before calling the API", async () => {
    const onSubmit = vi.fn();
    render(<AccountForm submitLabel="Create account" onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Currency"), "E1");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getAllByRole("alert")).toHaveLength(4);
    for (const label of LABELS) expect(screen.getByLabelText(label)).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription("Enter a name");
    expect(screen.getByLabelText("Currency")).toHaveAccessibleDescription("A currency is three letters, such as EUR");
  });

  it("sends a valid account, then shows the API's field errors beside their fields", async () => {
    const onSubmit = vi.fn().mockRejectedValue(
      new ApiError(422, "request is not valid", [
        { field: "name", message: "String should match pattern" },
        { field: "currency", message: "not a currency" },
      ]),
    );
    render(<AccountForm submitLabel="Create account" onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Name"), " Ada ");
    await userEvent.selectOptions(screen.getByLabelText("Type"), "SAVINGS");
    await userEvent.type(screen.getByLabelText("Currency"), "gbp");
    await userEvent.type(screen.getByLabelText("Home country"), "gb");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect(onSubmit).toHaveBeenCalledWith({ name: "Ada", accountType: "SAVINGS", currency: "GBP", homeCountry: "GB" });
    expect(await screen.findByLabelText("Name")).toHaveAccessibleDescription("String should match pattern");
    expect(screen.getByLabelText("Currency")).toHaveAccessibleDescription("not a currency");
    expect(screen.getByLabelText("Currency")).toHaveValue("gbp");
    expect(screen.getByLabelText("Home country")).not.toHaveAttribute("aria-invalid");
  });

  it("changes the name and the type only, sending what changed", async () => {
    const onSubmit = vi.fn().mockResolvedValue(account);
    render(<AccountForm initial={account} submitLabel="Save changes" onSubmit={onSubmit} />);
    expect(screen.getByLabelText("Currency")).toBeDisabled();
    expect(screen.getByLabelText("Home country")).toBeDisabled();
    const name = screen.getByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.type(name, "Ada King");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(onSubmit).toHaveBeenCalledWith({ name: "Ada King" });
  });

  it("shows an error about no field of the form above it", async () => {
    const onSubmit = vi.fn().mockRejectedValue(new ApiError(0, "The API cannot be reached."));
    render(<AccountForm initial={account} submitLabel="Save changes" onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The API cannot be reached.");
  });
});

describe("deleting an account", () => {
  afterEach(() => vi.restoreAllMocks());

  function page(transactions: number) {
    const request = vi.fn().mockResolvedValue(undefined);
    const items = Array.from({ length: transactions }, (_, i) => ({ transactionId: `txn_${i}` }) as Transaction);
    const view = renderApp(`/accounts/${account.accountId}`, {
      getAccount: vi.fn().mockResolvedValue(account),
      listTransactions: vi.fn().mockResolvedValue({ items }),
      request,
    });
    return { ...view, request };
  }
  // The whole app loads its routes first: on a busy machine that takes more than a second.
  const deleteButton = () => screen.findByRole("button", { name: "Delete" }, { timeout: 5_000 });

  it("names how many transactions go with it, and deletes them too", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(true);
    const { request, router } = page(3);
    await userEvent.click(await deleteButton());

    await waitFor(() => expect(request).toHaveBeenCalledWith("DELETE", `/accounts/${account.accountId}?cascade=true`));
    expect(confirm.mock.calls[0]?.[0]).toMatch(/^Delete the account “Ada Lovelace” and its 3 transactions\?/);
    await waitFor(() => expect(router.state.location.pathname).toBe("/accounts"), { timeout: 5_000 });
  });

  it("deletes an account without transactions without cascading, and nothing when the question is declined", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const { request } = page(0);
    const remove = await deleteButton();
    await userEvent.click(remove);
    await waitFor(() => expect(confirm).toHaveBeenCalledTimes(1));
    expect(request).not.toHaveBeenCalled();

    await userEvent.click(remove);
    await waitFor(() => expect(request).toHaveBeenCalledWith("DELETE", `/accounts/${account.accountId}?cascade=false`));
    expect(confirm.mock.calls[1]?.[0]).toMatch(/It has no transactions/);
  });
});
