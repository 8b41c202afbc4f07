/** The broker cannot be reached right now; the caller should wait and try again. */
export class BrokerUnavailableError extends Error {
  constructor(message = 'message broker is not connected') {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

/** An event or request whose payload does not satisfy its contract. */
export class InvalidPayloadError extends Error {
  constructor(
    readonly messageType: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid payload for ${messageType}: ${problems.join('; ')}`);
    this.name = 'InvalidPayloadError';
  }
}

export type RpcFailureKind = 'timeout' | 'unreachable' | 'remote';

/** Base of the three ways an RPC call can fail; `kind` says which. */
export abstract class RpcError extends Error {
  abstract readonly kind: RpcFailureKind;
}

/** No reply came within the timeout: the service may be slow, overloaded or down. */
export class RpcTimeoutError extends RpcError {
  readonly kind = 'timeout';
  constructor(
    readonly route: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${route} within ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** The request could not be delivered: broker down or no service serving the route. */
export class RpcUnreachableError extends RpcError {
  readonly kind = 'unreachable';
  constructor(
    readonly route: string,
    reason: string,
  ) {
    super(`${route} is unreachable: ${reason}`);
    this.name = 'RpcUnreachableError';
  }
}

/** The service answered with an error. `status` is the HTTP status it maps to. */
export class RpcRemoteError extends RpcError {
  readonly kind = 'remote';
  constructor(
    readonly route: string,
    readonly code: string,
    readonly status: number,
    message: string,
    /** The fields at fault, when the service named them. */
    readonly fields: readonly { readonly field: string; readonly message: string }[] = [],
  ) {
    super(message);
    this.name = 'RpcRemoteError';
  }
}

/**
 * Thrown by an event handler to say that this message can never succeed (an
 * unknown status, a reference that cannot exist): the transport dead-letters it
 * at once with `reason`, instead of retrying it until its attempts run out.
 * The handler's transaction rolls back, so nothing of it is written.
 */
export class DeadLetterError extends Error {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
    this.name = 'DeadLetterError';
  }
}
