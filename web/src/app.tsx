import { createContext, useContext } from "react";
import type { ApiClient } from "./api/client";
import type { AuthSession } from "./auth/session";
import type { AppConfig } from "./config";

export interface AppServices {
  api: ApiClient;
  config: AppConfig;
  /** The signed-in user's session; absent when the deployment has no sign-in. */
  session?: AuthSession;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error("useServices needs an AppContext provider");
  return services;
}

export function useApi(): ApiClient {
  return useServices().api;
}
