export { EnvValidationError, loadEnv } from './load-env.js';
export {
  DEFAULT_AMQP_URL,
  DEFAULT_DATABASE_URL,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_STRIPE_WEBHOOK_SECRET,
  HttpServiceEnv,
  LOG_LEVELS,
  NODE_ENVIRONMENTS,
  ServiceEnv,
  booleanProperty,
  portProperty,
  redisKeyPrefixProperty,
  redisUrlProperty,
  toBoolean,
  toIntegerList,
} from './service-env.js';
export { SERVICE_ENV } from './service-env-token.js';
