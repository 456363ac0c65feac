// @vitest-environment jsdom
import type { UseQueryResult } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { Pager, QueryView, RiskBadge } from "./ui";

function query<T>(state: Partial<UseQueryResult<T>>): UseQueryResult<T> {
  return {
    isPending: false,
    isError: false,
    data: undefined,
    error: null,
    refetch: vi.fn(),
    ...state,
  } as unknown as UseQueryResult<T>;
}

const list = (items: string[]) => (
  <ul>
    {items.map((i) => (
      <li key={i}>{i}</li>
    ))}
  </ul>
);

describe("QueryView", () => {
  it("shows a loading placeholder while the first answer is on its way", () => {
    render(<QueryView query={query<string[]>({ isPending: true })}>{list}</QueryView>);
    expect(screen.getByRole("status", { name: "Loading" })).toBeInTheDocument();
  });

  it("says the API cannot be reached and offers to try again", async () => {
    const failed = query<string[]>({ isError: true, error: new ApiError(0, "unreachable") });
    render(<QueryView query={failed}>{list}</QueryView>);
    expect(screen.getByRole("alert")).toHaveTextContent("The API cannot be reached");
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(failed.refetch).toHaveBeenCalled();
  });

  it("shows the empty state when there is nothing", () => {
    render(
      <QueryView query={query({ data: [] as string[] })} isEmpty={(d) => d.length === 0} empty={<p>No runs yet</p>}>
        {list}
      </QueryView>,
    );
    expect(screen.getByText("No runs yet")).toBeInTheDocument();
  });

  it("keeps showing earlier data when a refresh fails", () => {
    render(
      <QueryView query={query({ data: ["run-1"], isError: true, error: new ApiError(503, "busy") })}>{list}</QueryView>,
    );
    expect(screen.getByText("run-1")).toBeInTheDocument();
    expect(screen.getByText(/Showing earlier data/)).toBeInTheDocument();
  });
});

describe("RiskBadge", () => {
  it("shows the level with its score, and says when a transaction is not scored", () => {
    const { rerender } = render(<RiskBadge level="HIGH" score={0.912} />);
    expect(screen.getByText("HIGH")).toHaveClass("risk-HIGH");
    expect(screen.getByText("0.91")).toBeInTheDocument();
    rerender(<RiskBadge level={null} />);
    expect(screen.getByText("unscored")).toBeInTheDocument();
  });
});

describe("Pager", () => {
  it("says an empty page with a next cursor is not the end of the list", async () => {
    const onNext = vi.fn();
    render(<Pager page={1} count={0} nextCursor="abc" onNext={onNext} onPrevious={vi.fn()} />);
    expect(screen.getByText(/0 shown · more matches may follow/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Next →" }));
    expect(onNext).toHaveBeenCalledWith("abc");
  });

  it("says nothing more at the end of the list", () => {
    render(<Pager page={2} count={0} nextCursor={null} onNext={vi.fn()} onPrevious={vi.fn()} />);
    expect(screen.queryByText(/more matches may follow/)).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next →" })).toBeDisabled();
  });
});
