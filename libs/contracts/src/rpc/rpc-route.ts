import type { ServiceName } from '../services.js';

/** The target of a route every service serves (e.g. `system.ping.v1`): the caller names the service. */
export const EVERY_SERVICE = 'every-service';

export type RpcTarget = ServiceName | typeof EVERY_SERVICE;

/**
 * One request/reply route, declared once: its name (the routing key's last
 * part), the service that serves it, and the classes that validate the request
 * (on the server) and the reply (on the caller).
 */
export interface RpcRoute<
  Name extends string = string,
  Target extends RpcTarget = RpcTarget,
  Request extends object = object,
  Reply extends object = object,
> {
  readonly name: Name;
  readonly service: Target;
  readonly request: new () => Request;
  readonly reply: new () => Reply;
}

export type RpcRequestOf<R> =
  R extends RpcRoute<string, RpcTarget, infer Request> ? Request : never;
export type RpcReplyOf<R> =
  R extends RpcRoute<string, RpcTarget, object, infer Reply> ? Reply : never;

/** Declares a route; a `.v<N>` suffix on the name versions it, as events are versioned. */
export function defineRpcRoute<
  Name extends string,
  Target extends RpcTarget,
  Request extends object,
  Reply extends object,
>(route: RpcRoute<Name, Target, Request, Reply>): RpcRoute<Name, Target, Request, Reply> {
  return Object.freeze({ ...route });
}
