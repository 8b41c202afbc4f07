import type { Response } from 'express';
import type { RateLimitDecision } from './rate-limits.service.js';

/** `RateLimit-*` (IETF draft) on every limited answer, and `Retry-After` when refused. */
export function setRateLimitHeaders(response: Response, decision: RateLimitDecision): void {
  const resetSeconds = Math.max(0, Math.ceil(decision.resetInMs / 1_000));
  response.setHeader('RateLimit-Limit', String(decision.limit));
  response.setHeader('RateLimit-Remaining', String(decision.remaining));
  response.setHeader('RateLimit-Reset', String(resetSeconds));
  response.setHeader('RateLimit-Policy', `${decision.limit};w=${decision.windowSeconds}`);
  if (!decision.allowed) response.setHeader('Retry-After', String(Math.max(1, resetSeconds)));
}
