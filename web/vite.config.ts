/// <reference types="vitest/config" />
import { tanstackRouter } from "@tanstack/router-plugin/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API and /config.json come from the local stack during `npm run dev`; the build is static files.
const localStack = process.env.ISOFLOW_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [tanstackRouter({ target: "react", autoCodeSplitting: true }), react()],
  // Cognito's SRP client (amazon-cognito-identity-js) reads Node's `global`; in the browser that is globalThis.
  define: { global: "globalThis" },
  server: {
    proxy: {
      "/api": localStack,
      "/config.json": localStack,
    },
  },
  build: {
    outDir: "dist",
    sourcemap: true,
    // Swagger UI (1.6 MB) is a chunk of its own, loaded by the API page only.
    chunkSizeWarningLimit: 1700,
  },
  test: {
    // Data shaping runs in Node; component tests opt into a DOM with a `@vitest-environment jsdom` comment.
    environment: "node",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
