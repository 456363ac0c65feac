// @vitest-environment jsdom
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { TransactionForm } from "./TransactionForm";

describe("TransactionForm", () => {
  it("shows the API's field error under the field and keeps what was typed", async () => {
    const onSubmit = vi
      .fn()
      .mockRejectedValue(
        new ApiError(422, "invalid request", [{ field: "amount", message: "Input should be greater than 0" }]),
      );
    render(<TransactionForm submitLabel="Create transaction" onSubmit={onSubmit} />);
    await userEvent.type(screen.getByLabelText("Account"), "acc_0123456789abcdef");
    await userEvent.type(screen.getByLabelText("Amount"), "-5");
    await userEvent.click(screen.getByRole("button", { name: "Create transaction" }));

    expect(onSubmit).toHaveBeenCalledWith({
      accountId: "acc_0123456789abcdef",
      transactionType: "PURCHASE",
      amount: -5,
    });
    const amount = screen.getByLabelText("Amount");
    expect(amount).toHaveAttribute("aria-invalid", "true");
    expect(amount).toHaveAccessibleDescription("Input should be greater than 0");
    expect(amount).toHaveValue("-5");
  });

  it("asks for the required fields before calling the API", async () => {
    const onSubmit = vi.fn();
    render(<TransactionForm submitLabel="Create transaction" onSubmit={onSubmit} />);
    await userEvent.click(screen.getByRole("button", { name: "Create transaction" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByText("Choose the account")).toBeInTheDocument();
    expect(screen.getByText("Enter an amount")).toBeInTheDocument();
  });

  it("shows an error about no field of the form above it", async () => {
    const onSubmit = vi.fn().mockRejectedValue(new ApiError(0, "The API cannot be reached."));
    render(
      <TransactionForm submitLabel="Create transaction" onSubmit={onSubmit} prefillAccountId="acc_0123456789abcdef" />,
    );
    await userEvent.type(screen.getByLabelText("Amount"), "10");
    await userEvent.click(screen.getByRole("button", { name: "Create transaction" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The API cannot be reached.");
  });
});
