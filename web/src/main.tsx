import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider, createRouter } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiClient } from "./api/client";
import { shouldRetry } from "./api/queries";
import { AppContext } from "./app";
import { CognitoAuthenticator } from "./auth/cognito";
import { AuthSession } from "./auth/session";
import { SignedIn } from "./auth/SignedIn";
import { loadConfig } from "./config";
import { routeTree } from "./routeTree.gen";
import "./styles.css";

const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}

async function start() {
  const config = await loadConfig();
  const session = config.auth ? new AuthSession(new CognitoAuthenticator(config.auth)) : undefined;
  const api = new ApiClient({
    baseUrl: config.apiBaseUrl,
    token: session ? () => session.idToken() : undefined,
    onUnauthorized: session ? () => session.expired() : undefined,
  });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: shouldRetry, staleTime: 5_000 } },
  });
  // What one user saw is not shown to the next one to sign in.
  session?.subscribe(() => {
    if (session.getState().status !== "signedIn") queryClient.clear();
  });
  createRoot(document.getElementById("root") as HTMLElement).render(
    <StrictMode>
      <AppContext.Provider value={{ api, config, session }}>
        <QueryClientProvider client={queryClient}>
          <SignedIn session={session}>
            <RouterProvider router={router} />
          </SignedIn>
        </QueryClientProvider>
      </AppContext.Provider>
    </StrictMode>,
  );
}

void start();
