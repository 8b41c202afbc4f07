import { PUBLIC_API_PATHS } from '@aegis/contracts';

/** Where a checkout may send people back to, from the gateway's settings. */
export interface RedirectSettings {
  /** The gateway's public origin, e.g. `https://pay.example` (no trailing slash). */
  readonly publicUrl: string;
  readonly successUrl: string;
  readonly cancelUrl: string;
  /** `host` or `host:port`, lower case. */
  readonly allowedHosts: readonly string[];
}

export interface RedirectSettingsSource {
  readonly PORT: number;
  readonly GATEWAY_PUBLIC_URL?: string;
  readonly PAYMENT_SUCCESS_URL?: string;
  readonly PAYMENT_CANCEL_URL?: string;
  readonly PAYMENT_ALLOWED_REDIRECT_HOSTS?: readonly string[];
}

/**
 * The defaults: PAYMENT_SUCCESS_URL / PAYMENT_CANCEL_URL, else the bundled
 * pages on the gateway's public URL (the success page told the session by
 * Stripe's `{CHECKOUT_SESSION_ID}`); the allowed hosts, else the gateway's own.
 */
export function redirectSettingsOf(env: RedirectSettingsSource): RedirectSettings {
  const publicUrl = (env.GATEWAY_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/$/, '');
  return {
    publicUrl,
    successUrl:
      env.PAYMENT_SUCCESS_URL ??
      `${publicUrl}${PUBLIC_API_PATHS.paymentSuccess}?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: env.PAYMENT_CANCEL_URL ?? `${publicUrl}${PUBLIC_API_PATHS.paymentCancel}`,
    allowedHosts: env.PAYMENT_ALLOWED_REDIRECT_HOSTS ?? [new URL(publicUrl).host],
  };
}

export interface RedirectFault {
  readonly field: 'success_url' | 'cancel_url';
  readonly message: string;
}

/** Why `url` may not be a redirect, or null when it may: http(s), no credentials, an allowed host. */
export function redirectFaultOf(url: string, allowedHosts: readonly string[]): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'must be an absolute http(s) URL';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials';
  const allowed = allowedHosts.some((entry) =>
    entry.includes(':') ? entry === parsed.host : entry === parsed.hostname,
  );
  return allowed
    ? null
    : `host ${parsed.host} is not an allowed redirect host (PAYMENT_ALLOWED_REDIRECT_HOSTS)`;
}

/** The request's redirect URLs, or the defaults: every fault named, or both URLs. */
export function resolveRedirects(
  requested: { readonly success_url?: string; readonly cancel_url?: string },
  settings: RedirectSettings,
): { successUrl: string; cancelUrl: string } | { faults: RedirectFault[] } {
  const faults: RedirectFault[] = [];
  for (const field of ['success_url', 'cancel_url'] as const) {
    const url = requested[field];
    if (url === undefined) continue;
    const fault = redirectFaultOf(url, settings.allowedHosts);
    if (fault !== null) faults.push({ field, message: fault });
  }
  if (faults.length > 0) return { faults };
  return {
    successUrl: requested.success_url ?? settings.successUrl,
    cancelUrl: requested.cancel_url ?? settings.cancelUrl,
  };
}
