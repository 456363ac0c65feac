import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import { reactRefresh } from "eslint-plugin-react-refresh";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  // Generated: the route tree by TanStack Router's plugin, the API's types by openapi-typescript.
  globalIgnores(["dist", "src/routeTree.gen.ts", "src/api/schema.gen.ts"]),
  {
    files: ["**/*.{ts,tsx}"],
    extends: [
      js.configs.recommended,
      tseslint.configs.recommended,
      reactHooks.configs.flat.recommended,
      // A route file exports the `Route` that createFileRoute (createRootRoute) makes, its page's components
      // beside it; TanStack Router's plugin keeps Fast Refresh working for those, as for a component's HOC.
      reactRefresh.configs.vite({ extraHOCs: ["createFileRoute", "createRootRoute"] }),
    ],
    languageOptions: {
      globals: globals.browser,
    },
  },
]);
