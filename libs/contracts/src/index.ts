import 'reflect-metadata';
export { ENVELOPE_FIELDS, versionOf, type Envelope } from './envelope.js';
export { USAGE_RECORDED_V1, UsageRecordedV1 } from './events/usage-recorded.v1.js';
export {
  EVENT_PAYLOADS,
  RPC_REQUESTS,
  isEventName,
  isRpcName,
  type EventName,
  type EventPayload,
  type RpcName,
  type RpcReplies,
  type RpcReply,
  type RpcRequest,
} from './registry.js';
export { PingRequestV1, PingResponseV1, SYSTEM_PING_V1 } from './rpc/ping.v1.js';
export { SERVICE_NAMES, type ServiceName } from './services.js';
