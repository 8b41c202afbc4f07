export {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  createTestVhost,
  deleteBrokerObjects,
  deleteServiceTopologies,
  uniqueSuffix,
  waitFor,
  type TestDatabase,
  type TestVhost,
} from './infrastructure.js';
export { useTestEnvironment, type TestServiceSettings } from './test-service.js';
export { freePort, startServiceProcess, type ServiceProcess } from './service-process.js';
export { publishStripeEvent } from './stripe-events.js';
export { defined, rejectionOf, thrownBy } from './expectations.js';
export { compiledPath } from './compiled.js';
export { startTestService, type TestAppOptions } from './test-app.js';
export { listenForEvents } from './event-listener.js';
export { readinessOf, waitUntilReady } from './readiness.js';
export { sandboxStripe } from './sandbox-client.js';
export { consumedCount } from './consumer-metrics.js';
export { TestRpcCaller, withRpcCaller } from './rpc-caller.js';
