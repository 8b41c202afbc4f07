export { currentCorrelationId, newCorrelationId, withCorrelationId } from './correlation.js';
export { HealthController, READINESS_CHECKS, type ReadinessCheck } from './health.js';
export { JsonLogger } from './json-logger.js';
export { METRICS_REGISTRY, MetricsController, createMetricsRegistry } from './metrics.js';
