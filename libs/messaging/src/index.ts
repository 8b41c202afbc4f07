export {
  AmqpConnection,
  type AmqpConnectionOptions,
  type ConnectionSetup,
} from './amqp-connection.js';
export {
  ATTEMPT_HEADER,
  AmqpServer,
  DEAD_LETTER_REASON_HEADER,
  LAST_ERROR_HEADER,
  type AmqpServerOptions,
  type ConsumeOutcome,
} from './amqp-server.js';
export { ConsumeContext } from './consume-context.js';
export { OnEvent, OnRpc, type EventHandlerMethod, type RpcHandlerMethod } from './decorators.js';
export {
  BrokerUnavailableError,
  DeadLetterError,
  InvalidPayloadError,
  RpcError,
  RpcRemoteError,
  RpcTimeoutError,
  RpcUnreachableError,
  type RpcFailureKind,
} from './errors.js';
export { EventPublisher, type PublishOptions } from './event-publisher.js';
export {
  BrokerReadiness,
  MessagingModule,
  type MessagingModuleOptions,
} from './messaging.module.js';
export {
  createMessagingTablesV1,
  dropMessagingTablesV1,
  outboxNotifyChannel,
} from './messaging-tables.js';
export { PropagateHandlerErrorsFilter } from './propagate-errors.filter.js';
export {
  OutboxRelay,
  type OutboxPublishedHook,
  type OutboxRelayOptions,
  type PublishedMessage,
} from './outbox-relay.js';
export { toValidPayload } from './payload-validation.js';
export { AmqpRpcClient, type CallOptions } from './rpc-client.js';
export { toRemoteErrorBody, type RemoteErrorBody } from './rpc-wire.js';
export {
  DELIVERY_LIMIT,
  declareConsumerQueues,
  declareExchanges,
  declareRpcQueue,
  queuesOf,
  rpcRoutingKey,
  topologyNames,
  type TopologyNames,
} from './topology.js';
