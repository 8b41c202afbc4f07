import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The operator's dashboard, built into static files the gateway serves under
 * /dashboard (apps/gateway/src/dashboard). `npm run build` writes them to
 * dist/dashboard; `--outDir` puts them elsewhere (the test runs' own
 * compiled folder).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  // Preact through Vite's own JSX transform (Oxc): no Babel plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // Everything a file of its own: the page's CSP allows nothing inline (no data: URLs).
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'es2022',
  },
  logLevel: 'warn',
});
