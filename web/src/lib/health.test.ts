import { describe, expect, it } from "vitest";
import { ApiError, errorFromResponse } from "../api/client";
import { failingDependencies, healthProblem } from "./health";

describe("failingDependencies", () => {
  it("names what a 503 from the health check says is down", () => {
    const error = errorFromResponse(503, {
      status: "degraded",
      dependencies: [
        { name: "table:isoflow-accounts", ok: true },
        { name: "stateMachine", ok: false, detail: "not found" },
      ],
    });
    expect(failingDependencies(error)).toEqual(["stateMachine"]);
  });

  it("names nothing when the API did not answer", () => {
    expect(failingDependencies(new ApiError(0, "unreachable"))).toEqual([]);
  });
});

describe("healthProblem", () => {
  it("tells an API that is down from one that answers with an error", () => {
    expect(healthProblem(new ApiError(0, "unreachable")).title).toBe("The API is not answering.");
    expect(healthProblem(new ApiError(500, "Internal server error")).title).toBe("The health check failed (HTTP 500).");
  });
});
