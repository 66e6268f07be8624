import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const require = createRequire(import.meta.url);

/**
 * The dashboard's build: `npm run build:web` writes web/dist, which the API server serves
 * at / (server/http/static.ts). `npm run dev:web` serves it with live reload and forwards
 * /graphql (HTTP and WebSocket) to a running `kq up` on :8080, or to KUBEQL_API.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./', import.meta.url)),
  // JSX through Vite's own esbuild transform: no Babel, no React plugin needed for a build.
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: [
      // One graphql module for the SDK and the generated documents (its ESM build).
      { find: /^graphql$/, replacement: require.resolve('graphql/index.mjs') },
      // The SDK imports `ws` only where there is no global WebSocket, i.e. never in a browser.
      { find: /^ws$/, replacement: fileURLToPath(new URL('./src/api/no-ws.ts', import.meta.url)) },
      // Nor its TLS for Node, which it loads only when given a CA (a browser has its own).
      {
        find: /^\.\/node-tls\.ts$/,
        replacement: fileURLToPath(new URL('./src/api/no-node-tls.ts', import.meta.url)),
      },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    // Sizes after gzip are nice to read but cost seconds on every build.
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/graphql': { target: process.env.KUBEQL_API ?? 'http://127.0.0.1:8080', ws: true } },
  },
});
