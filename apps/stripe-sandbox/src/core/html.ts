import type { Response } from 'express';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** A Unix time in seconds as `2026-01-31 12:00:00 UTC`. */
export function formatTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1a1a2e; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
code, pre { font-family: ui-monospace, monospace; }
pre { background: #f5f5f7; padding: 1rem; overflow: auto; }
.error { color: #b00020; background: #fdecef; padding: 0.6rem; border-radius: 4px; }
.muted { color: #666; }
.card { max-width: 28rem; margin: 0 auto; }
label { display: block; margin-top: 0.8rem; }
input { width: 100%; padding: 0.4rem; font-size: 1rem; box-sizing: border-box; }
button { margin-top: 1rem; padding: 0.6rem 1.2rem; font-size: 1rem; }
`;

/** A complete page: no scripts, no external assets, inline style only (`style` is added to the shared one). */
export function htmlPage(title: string, body: string, style = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${style}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** Sends a page with headers that keep it self-contained and uncached. */
export function sendHtml(response: Response, status: number, html: string): void {
  response
    .status(status)
    .setHeader('content-type', 'text/html; charset=utf-8')
    .setHeader('cache-control', 'no-store')
    .setHeader('x-content-type-options', 'nosniff')
    .setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(html);
}
