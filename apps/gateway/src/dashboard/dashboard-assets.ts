import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's headers: only the gateway's own scripts, styles and API
 * (no inline code, nothing from elsewhere), never framed.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': DASHBOARD_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

/** The page is revalidated on every load, so a new build is seen at once. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
};

/** Vite names each asset by its content's hash: a name never changes content. */
export const ASSET_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'Cache-Control': 'public, max-age=31536000, immutable',
};

/** Where the compiled system keeps the built dashboard: `dashboard/` beside `apps/` (dist/dashboard). */
export function defaultDashboardDirectory(): string {
  // This file is <root>/apps/gateway/src/dashboard/dashboard-assets.js once compiled.
  return fileURLToPath(new URL('../../../../dashboard/', import.meta.url));
}

/** A built dashboard: its page, and the names of the files under assets/. */
export interface BuiltDashboard {
  readonly directory: string;
  readonly page: string;
  readonly assets: ReadonlySet<string>;
}

/** The built dashboard in `directory`, or null when nothing was built there. */
export function loadBuiltDashboard(given: string): BuiltDashboard | null {
  const directory = resolve(given);
  const pagePath = join(directory, 'index.html');
  if (!existsSync(pagePath)) return null;
  const assetsDirectory = join(directory, 'assets');
  const assets = existsSync(assetsDirectory)
    ? readdirSync(assetsDirectory, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
    : [];
  return { directory, page: readFileSync(pagePath, 'utf8'), assets: new Set(assets) };
}
