import { createFileRoute } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { useApi } from "../app";
import { ErrorState } from "../components/ui";

export const Route = createFileRoute("/docs")({ component: DocsPage });

/** The API's reference, drawn by Swagger UI from the project's own copy (no CDN): every route, its parameters
 * and answers. "Try it out" calls the API as the signed-in user. */
function DocsPage() {
  const api = useApi();
  const target = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<unknown>();
  useEffect(() => {
    let cancelled = false;
    Promise.all([import("swagger-ui-dist/swagger-ui-es-bundle.js"), import("swagger-ui-dist/swagger-ui.css")])
      .then(([{ default: SwaggerUI }]) => {
        if (cancelled || !target.current) return;
        SwaggerUI({
          url: `${api.baseUrl}/openapi.json`,
          domNode: target.current,
          requestInterceptor: async (request) => {
            Object.assign(request.headers, await api.authorization());
            return request;
          },
        });
      })
      .catch((error: unknown) => setFailed(error ?? new Error("Swagger UI did not load")));
    return () => {
      cancelled = true;
    };
  }, [api]);
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>API</h1>
          <div className="sub">Every route, its parameters and its answers; “Try it out” calls the API as you</div>
        </div>
      </div>
      {failed ? (
        <ErrorState error={failed} onRetry={() => window.location.reload()} />
      ) : (
        <div ref={target} className="api-docs" data-testid="api-docs" />
      )}
    </div>
  );
}
