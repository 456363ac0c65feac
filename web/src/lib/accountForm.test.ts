import { describe, expect, it } from "vitest";
import type { Account } from "../api/types";
import {
  EMPTY_ACCOUNT,
  accountValues,
  changeBody,
  cleanName,
  createBody,
  deleteQuestion,
  validateAccount,
} from "./accountForm";

const stored = {
  accountId: "acc_0123456789abcdef",
  name: "Ada Lovelace",
  accountType: "CHECKING",
  currency: "GBP",
  homeCountry: "GB",
  balance: 0,
  isStale: false,
  createdAt: "2026-11-24T10:00:00Z",
  updatedAt: "2026-11-24T10:00:00Z",
} as Account;

describe("validateAccount", () => {
  it("names every field that is wrong at once", () => {
    expect(validateAccount(EMPTY_ACCOUNT, true).fields).toEqual({
      name: "Enter a name",
      accountType: "Choose the account's type",
      currency: "Enter the currency, such as EUR",
      homeCountry: "Enter the home country, such as DE",
    });
    const wrong = { name: "   ", accountType: "CASH", currency: "EURO", homeCountry: "D1" };
    expect(Object.keys(validateAccount(wrong, true).fields)).toEqual([
      "name",
      "accountType",
      "currency",
      "homeCountry",
    ]);
  });

  it("takes what the API takes: a trimmed name of up to 200 characters, codes in either case", () => {
    const values = { name: "  Ada  ", accountType: "SAVINGS", currency: "gbp", homeCountry: "gb" };
    expect(validateAccount(values, true).fields).toEqual({});
    expect(validateAccount({ ...values, name: "é".repeat(200) }, true).fields).toEqual({});
    // Characters, not UTF-16 units: 200 emoji are 400 units and still a name the API takes.
    expect(validateAccount({ ...values, name: "🏦".repeat(200) }, true).fields).toEqual({});
    expect(validateAccount({ ...values, name: "x".repeat(201) }, true).fields).toEqual({
      name: "At most 200 characters; this is 201",
    });
  });

  it("judges only the name and the type of an account that is open", () => {
    const values = { ...accountValues(stored), name: "", currency: "nope" };
    expect(validateAccount(values, false).fields).toEqual({ name: "Enter a name" });
  });
});

describe("request bodies", () => {
  it("sends a new account trimmed, with codes in capitals", () => {
    const values = { name: "  Ada Lovelace\u001f ", accountType: "CHECKING", currency: " gbp", homeCountry: "gb " };
    expect(createBody(values)).toEqual({
      name: "Ada Lovelace",
      accountType: "CHECKING",
      currency: "GBP",
      homeCountry: "GB",
    });
  });

  it("sends only what changed when editing, never the currency or the country", () => {
    const initial = accountValues(stored);
    expect(changeBody({ ...initial, name: "Ada Lovelace " }, initial)).toEqual({});
    expect(changeBody({ ...initial, name: "Ada King", currency: "EUR" }, initial)).toEqual({ name: "Ada King" });
    expect(changeBody({ ...initial, accountType: "SAVINGS" }, initial)).toEqual({ accountType: "SAVINGS" });
  });

  it("strips white space as the API does", () => {
    expect(cleanName("\u0085\t Ada \u001c")).toBe("Ada");
  });
});

describe("deleteQuestion", () => {
  it("says that the transactions go too, and how many", () => {
    expect(deleteQuestion("Ada", { count: 0, more: false })).toBe(
      "Delete the account “Ada”? It has no transactions. This cannot be undone.",
    );
    expect(deleteQuestion("Ada", { count: 1, more: false })).toMatch(
      /^Delete the account “Ada” and its 1 transaction\?/,
    );
    expect(deleteQuestion("Ada", { count: 1000, more: true })).toMatch(/its 1,000 or more transactions\? They are/);
  });
});
