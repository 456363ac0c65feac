// @vitest-environment jsdom
import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useCursorPager } from "./useCursorPager";

describe("useCursorPager", () => {
  it("goes forward by the API's cursors and back by the ones it remembers", () => {
    const { result } = renderHook(() => useCursorPager("all"));
    act(() => result.current.next("page-2"));
    act(() => result.current.next("page-3"));
    expect(result.current).toMatchObject({ page: 3, cursor: "page-3" });
    act(() => result.current.previous());
    expect(result.current).toMatchObject({ page: 2, cursor: "page-2" });
  });

  it("starts again at the first page when the listing changes", () => {
    const { result, rerender } = renderHook(({ listing }) => useCursorPager(listing), {
      initialProps: { listing: "riskLevel=HIGH" },
    });
    act(() => result.current.next("page-2"));
    rerender({ listing: "riskLevel=LOW" });
    expect(result.current).toMatchObject({ page: 1, cursor: undefined });
  });
});
