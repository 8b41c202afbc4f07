/**
 * Compile-time proof that contracts are enforced: each `@ts-expect-error`
 * below must stay an error, or `npm run lint` (tsc) fails.
 */
import { describe, it, expect } from '@jest/globals';
import {
  PingRequestV1,
  PingResponseV1,
  SYSTEM_PING_V1,
  USAGE_RECORDED_V1,
  defineRpcRoute,
  type Envelope,
  type UsageRecordedV1,
} from '@aegis/contracts';
import type { EntityManager } from 'typeorm';
import type { ConsumeContext } from './consume-context.js';
import { OnEvent, OnRpc } from './decorators.js';
import type { EventPublisher } from './event-publisher.js';
import type { AmqpRpcClient } from './rpc-client.js';

/** A route served by billing alone (declared here only to type-check calls). */
const BILLING_ONLY_ROUTE = defineRpcRoute({
  name: 'billing.example.v1',
  service: 'billing',
  request: PingRequestV1,
  reply: PingResponseV1,
});

class WellTypedHandlers {
  @OnEvent(USAGE_RECORDED_V1)
  async onUsage(
    _event: Envelope<typeof USAGE_RECORDED_V1, UsageRecordedV1>,
    _context: ConsumeContext,
  ): Promise<void> {
    await Promise.resolve();
  }
}

class WrongPayloadHandler {
  // @ts-expect-error the handler takes a payload that is not usage.recorded.v1's
  @OnEvent(USAGE_RECORDED_V1)
  async onUsage(
    _event: Envelope<typeof USAGE_RECORDED_V1, { invoiceId: string }>,
    _context: ConsumeContext,
  ): Promise<void> {
    await Promise.resolve();
  }
}

class WrongReplyHandler {
  // @ts-expect-error system.ping.v1 must reply with a PingResponseV1
  @OnRpc(SYSTEM_PING_V1)
  async ping(): Promise<{ pong: boolean }> {
    return Promise.resolve({ pong: true });
  }
}

export function publishingShapes(
  publisher: EventPublisher,
  manager: EntityManager,
  rpc: AmqpRpcClient,
): unknown[] {
  return [
    publisher.publish(manager, USAGE_RECORDED_V1, {
      customerId: 'c',
      meter: 'm',
      // @ts-expect-error quantity must be a number
      quantity: '1',
      recordedAt: '',
    }),
    // @ts-expect-error no such event
    publisher.publish(manager, 'usage.recorded.v7', {}),
    // @ts-expect-error a route every service serves needs the service to ask
    rpc.call(SYSTEM_PING_V1, { caller: 'x' }),
    // @ts-expect-error no such service
    rpc.call(SYSTEM_PING_V1, { caller: 'x' }, { service: 'payroll' }),
    // @ts-expect-error caller must be a string
    rpc.call(SYSTEM_PING_V1, { caller: 1 }, { service: 'billing' }),
    // @ts-expect-error a billing route is called on billing, never on another service
    rpc.call(BILLING_ONLY_ROUTE, { caller: 'x' }, { service: 'metering' }),
    rpc.call(BILLING_ONLY_ROUTE, { caller: 'x' }).then((reply: PingResponseV1) => reply.service),
    rpc
      .call(SYSTEM_PING_V1, { caller: 'x' }, { service: 'billing' })
      .then((reply: PingResponseV1) => reply.service),
  ];
}

describe('typed contracts', () => {
  it('registers handlers declared with the right shapes', () => {
    expect(typeof WellTypedHandlers.prototype.onUsage).toBe('function');
    expect(typeof WrongPayloadHandler.prototype.onUsage).toBe('function');
    expect(typeof WrongReplyHandler.prototype.ping).toBe('function');
  });
});
