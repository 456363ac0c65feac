import { describe, expect, it, vi } from "vitest";
import { DEFAULT_CONFIG, executionConsoleUrl, loadConfig, parseConfig } from "./config";

describe("config", () => {
  it("reads the deployment's settings and trims the API base URL", () => {
    expect(parseConfig({ apiBaseUrl: "https://x.test/api/", environment: "aws", region: "eu-west-1" })).toMatchObject({
      apiBaseUrl: "https://x.test/api",
      environment: "aws",
      region: "eu-west-1",
    });
  });

  it("reads where to sign in, and no sign-in when the auth section is absent or incomplete", () => {
    const auth = {
      userPoolId: "eu-west-1_abc",
      clientId: "client",
      region: "eu-west-1",
      endpoint: "https://cognito-idp.eu-west-1.amazonaws.com",
    };
    expect(parseConfig({ auth }).auth).toEqual({ ...auth, endpoint: "https://cognito-idp.eu-west-1.amazonaws.com/" });
    expect(parseConfig({ environment: "local" }).auth).toBeUndefined();
    expect(parseConfig({ auth: null }).auth).toBeUndefined();
    expect(parseConfig({ auth: { ...auth, clientId: "" } }).auth).toBeUndefined();
  });

  it("falls back to the same-origin defaults when /config.json is missing", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const config = await loadConfig(vi.fn().mockResolvedValue(new Response("nope", { status: 404 })));
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(warn).toHaveBeenCalled();
  });

  it("links to an execution in the console only in AWS", () => {
    const arn = "arn:aws:states:eu-west-1:123456789012:execution:isoflow-detection:run-1";
    expect(executionConsoleUrl({ ...DEFAULT_CONFIG }, arn)).toBeUndefined();
    expect(executionConsoleUrl({ ...DEFAULT_CONFIG, environment: "aws" }, arn)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${arn}`,
    );
  });
});
