import { describe, expect, it } from "vitest";
import { ApiError, errorFromResponse } from "../api/client";
import { fieldName, formErrors } from "./fieldErrors";

const FIELDS = ["accountId", "amount", "currency"] as const;

describe("fieldName", () => {
  it("reads the field out of the ways validators name it", () => {
    expect(fieldName("amount")).toBe("amount");
    expect(fieldName("body.amount")).toBe("amount");
    expect(fieldName("body → amount")).toBe("amount");
    expect(fieldName("$.amount")).toBe("amount");
  });
});

describe("formErrors", () => {
  it("puts each API field error next to its field", () => {
    const error = errorFromResponse(422, {
      message: "invalid request",
      errors: [
        { field: "amount", message: "must be greater than 0" },
        { field: "currency", message: "must be 3 capital letters" },
      ],
    });
    expect(formErrors(error, FIELDS)).toEqual({
      fields: { amount: "must be greater than 0", currency: "must be 3 capital letters" },
      general: [],
    });
  });

  it("lists errors about fields the form does not have above the form", () => {
    const error = new ApiError(422, "invalid request", [{ field: "body", message: "not valid JSON" }]);
    expect(formErrors(error, FIELDS)).toEqual({ fields: {}, general: ["body: not valid JSON"] });
  });

  it("shows the message when the API names no field", () => {
    expect(formErrors(new ApiError(503, "too many concurrent writes; retry"), FIELDS).general).toEqual([
      "too many concurrent writes; retry",
    ]);
  });
});

describe("errorFromResponse", () => {
  it("copes with a body that is not the documented error shape", () => {
    const error = errorFromResponse(502, "<html>Bad Gateway</html>");
    expect(error.status).toBe(502);
    expect(error.message).toBe("The API answered HTTP 502");
    expect(error.fieldErrors).toEqual([]);
  });
});
