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
