import type {
  Envelope,
  EventName,
  EventPayload,
  RpcReplyOf,
  RpcRequestOf,
  RpcRoute,
} from '@aegis/contracts';
import { UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { ConsumeContext } from './consume-context.js';
import { PropagateHandlerErrorsFilter } from './propagate-errors.filter.js';

export type EventHandlerMethod<K extends EventName> = (
  event: Envelope<K, EventPayload<K>>,
  context: ConsumeContext,
) => Promise<void>;

export type RpcHandlerMethod<R extends RpcRoute> = (
  request: RpcRequestOf<R>,
) => Promise<RpcReplyOf<R>>;

/**
 * Marks a method as the handler of event `name`. The method's signature must
 * take that event's envelope: handling the wrong payload fails to compile.
 * It runs inside the inbox transaction; it must write through `context.manager`.
 */
export function OnEvent<K extends EventName>(name: K) {
  return (
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<EventHandlerMethod<K>>,
  ): void => {
    EventPattern(name)(target, key, descriptor as PropertyDescriptor);
    UseFilters(PropagateHandlerErrorsFilter)(target, key, descriptor as PropertyDescriptor);
    // Nest passes only the arguments that carry parameter metadata: the envelope and our context.
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}

/**
 * Marks a method as the server side of `route` (declared in contracts): it takes the
 * route's validated request and must resolve to its reply type.
 */
export function OnRpc<R extends RpcRoute>(route: R) {
  return (
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<RpcHandlerMethod<R>>,
  ): void => {
    MessagePattern(route.name)(target, key, descriptor as PropertyDescriptor);
    UseFilters(PropagateHandlerErrorsFilter)(target, key, descriptor as PropertyDescriptor);
    Payload()(target, key, 0);
  };
}
