import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider, createMemoryHistory, createRouter } from "@tanstack/react-router";
import { render } from "@testing-library/react";
import type { ApiClient } from "../api/client";
import { AppContext } from "../app";
import { DEFAULT_CONFIG, type AppConfig } from "../config";
import { routeTree } from "../routeTree.gen";

/** The whole dashboard at `path`, over a fake API client, as the browser would get it. */
export function renderApp(path: string, api: Partial<ApiClient>, config: AppConfig = DEFAULT_CONFIG) {
  const router = createRouter({ routeTree, history: createMemoryHistory({ initialEntries: [path] }) });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const fallback = () => new Promise<never>(() => undefined);
  const client = new Proxy(api, { get: (target, key) => target[key as keyof ApiClient] ?? fallback }) as ApiClient;
  const view = render(
    <AppContext.Provider value={{ api: client, config }}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </AppContext.Provider>,
  );
  return { ...view, router };
}
