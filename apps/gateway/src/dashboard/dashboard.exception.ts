import { DomainException } from '@aegis/platform';

export enum DashboardExceptionCode {
  /** No session cookie, or its session is unknown, expired, signed out or of an admin key no longer in force. */
  SESSION_INVALID = 'dashboard_session_invalid',
  /** The admin key given to sign in is not the admin key. */
  SIGN_IN_REFUSED = 'dashboard_sign_in_refused',
  /** An unsafe request with a session cookie but without its CSRF token or from another origin. */
  CSRF_REJECTED = 'csrf_rejected',
  /** Redis, where sessions live, does not answer. */
  SESSIONS_UNAVAILABLE = 'dashboard_sessions_unavailable',
  /** The dashboard's assets were not built (npm run build). */
  NOT_BUILT = 'dashboard_not_built',
}

const STATUS: Readonly<Record<DashboardExceptionCode, number>> = {
  [DashboardExceptionCode.SESSION_INVALID]: 401,
  [DashboardExceptionCode.SIGN_IN_REFUSED]: 401,
  [DashboardExceptionCode.CSRF_REJECTED]: 403,
  [DashboardExceptionCode.SESSIONS_UNAVAILABLE]: 503,
  [DashboardExceptionCode.NOT_BUILT]: 503,
};

export class DashboardException extends DomainException<DashboardExceptionCode> {
  constructor(code: DashboardExceptionCode, message: string) {
    super(code, STATUS[code], message);
  }
}
