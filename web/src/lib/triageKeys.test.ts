// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { TRIAGE_KEYS, isTyping, keyLabel, triageAction } from "./triageKeys";

const on =
  (target: EventTarget | null) =>
  (key: string, modifiers: object = {}) =>
    triageAction({ key, target, ...modifiers });

describe("triageAction", () => {
  const press = on(document.body);

  it("reads the queue's keys", () => {
    expect(press("j")).toBe("next");
    expect(press("ArrowDown")).toBe("next");
    expect(press("k")).toBe("previous");
    expect(press("ArrowUp")).toBe("previous");
    expect(press("f")).toBe("fraud");
    expect(press("n")).toBe("notFraud");
    expect(press("e")).toBe("note");
    expect(press("a")).toBe("account");
    expect(press("Enter")).toBe("open");
    expect(press("o")).toBe("open");
    expect(press("?")).toBe("help");
    expect(press("x")).toBeUndefined();
  });

  it("leaves the browser's shortcuts alone", () => {
    expect(press("f", { ctrlKey: true })).toBeUndefined();
    expect(press("k", { metaKey: true })).toBeUndefined();
    expect(press("n", { altKey: true })).toBeUndefined();
  });

  it("ignores every key while typing", () => {
    const input = document.createElement("input");
    const area = document.createElement("textarea");
    const select = document.createElement("select");
    for (const field of [input, area, select]) {
      expect(on(field)("f")).toBeUndefined();
      expect(on(field)("j")).toBeUndefined();
      expect(on(field)("Enter")).toBeUndefined();
    }
  });

  it("leaves Enter to a focused button or link, but not the other keys", () => {
    const button = document.createElement("button");
    const link = document.createElement("a");
    link.href = "/accounts";
    expect(on(button)("Enter")).toBeUndefined();
    expect(on(link)("Enter")).toBeUndefined();
    expect(on(button)("j")).toBe("next");
  });
});

describe("isTyping", () => {
  it("is true for text fields only", () => {
    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    const date = document.createElement("input");
    date.type = "date";
    expect(isTyping(checkbox)).toBe(false);
    expect(isTyping(date)).toBe(true);
    expect(isTyping(document.body)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe("the legend", () => {
  it("shows every key once, arrows as arrows", () => {
    const keys = TRIAGE_KEYS.flatMap((entry) => entry.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keyLabel("ArrowDown")).toBe("↓");
    expect(keyLabel("j")).toBe("j");
  });
});
