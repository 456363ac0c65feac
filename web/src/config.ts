/** Settings read at runtime from /config.json, so one build serves the local stack and every deployment. */

export type Environment = "local" | "aws";

/** Where the dashboard signs in: a Cognito user pool and its app client. */
export interface AuthConfig {
  userPoolId: string;
  clientId: string;
  region: string;
  /** Cognito's API: https://cognito-idp.<region>.amazonaws.com in AWS, the local AWS endpoint locally. */
  endpoint: string;
}

export interface AppConfig {
  apiBaseUrl: string;
  environment: Environment;
  region?: string;
  /** Link to the state machine in the Step Functions console (deployments only). */
  stateMachineConsoleUrl?: string;
  /** The state machine's ARN; with `region` it builds console links to executions. */
  stateMachineArn?: string;
  /** Absent: no sign-in (the local stack's default), and the dashboard shows everything. */
  auth?: AuthConfig;
}

/** The auth section when it names everything sign-in needs; anything less is no sign-in at all. */
export function parseAuth(raw: unknown): AuthConfig | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  const { userPoolId, clientId, region, endpoint } = value;
  const given = (text: unknown): text is string => typeof text === "string" && text !== "";
  if (!given(userPoolId) || !given(clientId) || !given(region) || !given(endpoint)) return undefined;
  return { userPoolId, clientId, region, endpoint: `${endpoint.replace(/\/+$/, "")}/` };
}

export const DEFAULT_CONFIG: AppConfig = { apiBaseUrl: "/api", environment: "local" };

/** Merges what /config.json holds over the defaults, ignoring fields of the wrong type. */
export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null) return DEFAULT_CONFIG;
  const value = raw as Record<string, unknown>;
  const text = (key: string) =>
    typeof value[key] === "string" && value[key] !== "" ? (value[key] as string) : undefined;
  return {
    apiBaseUrl: (text("apiBaseUrl") ?? DEFAULT_CONFIG.apiBaseUrl).replace(/\/+$/, ""),
    environment: value.environment === "aws" ? "aws" : "local",
    region: text("region"),
    stateMachineConsoleUrl: text("stateMachineConsoleUrl"),
    stateMachineArn: text("stateMachineArn"),
    auth: parseAuth(value.auth),
  };
}

/**
 * Loads /config.json. A missing or broken file falls back to the local defaults (same-origin `/api`)
 * and is reported on the console rather than blocking the dashboard.
 */
export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  try {
    const response = await fetcher("/config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return parseConfig(await response.json());
  } catch (error) {
    console.warn("Could not read /config.json; using the defaults", error);
    return DEFAULT_CONFIG;
  }
}

/** The console page of one execution, when the deployment says where the console is. */
export function executionConsoleUrl(config: AppConfig, executionArn: string | undefined): string | undefined {
  if (config.environment !== "aws" || !executionArn) return undefined;
  const region = config.region ?? executionArn.split(":")[3];
  if (!region) return undefined;
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
