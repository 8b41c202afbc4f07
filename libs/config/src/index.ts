export { EnvValidationError, loadEnv } from './load-env.js';
export {
  DEFAULT_AMQP_URL,
  DEFAULT_DATABASE_URL,
  LOG_LEVELS,
  NODE_ENVIRONMENTS,
  ServiceEnv,
  portProperty,
} from './service-env.js';
