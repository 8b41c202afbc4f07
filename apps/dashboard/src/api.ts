import type { ProblemV1 } from '@aegis/contracts';

/** The dashboard's session as the gateway tells it (never its token: the httpOnly cookie holds that). */
export interface DashboardSession {
  readonly object: 'dashboard_session';
  readonly csrf_token: string;
  readonly expires_at: string;
}

/** An answer other than 2xx, with the gateway's problem details when it sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemV1 | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `the gateway answered ${status}`);
  }
}

/** The paths the dashboard reads: the public API (../shared/API.md) and its own session. */
export const PATHS = {
  session: '/dashboard/session',
  signOut: '/dashboard/session/delete',
  paymentStatus: '/api/v1/payment/status',
  metrics: '/api/v1/metrics',
  revenueTimeseries: '/api/v1/revenue/timeseries',
  transactions: '/api/v1/payment/transactions',
  disputes: '/api/v1/payment/disputes',
  alerts: '/api/v1/alerts',
  invoices: '/api/v1/invoices',
  customers: '/api/v1/customers',
  customer: (id: string): string => `/api/v1/customers/${encodeURIComponent(id)}`,
  customerApiKeys: (id: string): string => `/api/v1/customers/${encodeURIComponent(id)}/api_keys`,
  customerSubscription: (id: string): string =>
    `/api/v1/customers/${encodeURIComponent(id)}/subscription`,
  usageSummary: '/api/v1/usage/summary',
} as const;

export type Query = Readonly<Record<string, string | number | undefined>>;

export function withQuery(path: string, query: Query = {}): string {
  const entries = Object.entries(query).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  );
  if (entries.length === 0) return path;
  return `${path}?${new URLSearchParams(entries.map(([name, value]) => [name, String(value)])).toString()}`;
}

/** Told when the session ends (a 401 anywhere): the page goes back to sign-in. */
let onSignedOut: () => void = () => undefined;
let csrfToken: string | undefined;

export function setSession(session: DashboardSession | null, signedOut: () => void): void {
  csrfToken = session?.csrf_token;
  onSignedOut = signedOut;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const unsafe = method !== 'GET';
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(unsafe && csrfToken !== undefined ? { 'x-csrf-token': csrfToken } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text === '' ? null : JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith(PATHS.session)) onSignedOut();
    throw new ApiError(response.status, parsed as ProblemV1 | null);
  }
  return parsed as T;
}

export function get<T>(path: string, query?: Query): Promise<T> {
  return send<T>('GET', withQuery(path, query));
}

export function post<T>(path: string, body?: unknown): Promise<T> {
  return send<T>('POST', path, body);
}
