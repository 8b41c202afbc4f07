export { SERVICE_ENV } from '@aegis/config';
export {
  listenAsService,
  runService,
  serviceApplicationOptions,
  runFastifyService,
  startFastifyService,
  startService,
  type FastifyServiceOptions,
  type RunningService,
  type JsonBodyLimit,
  type ServiceOptions,
} from './bootstrap.js';
export {
  INSTANCE_ID,
  PlatformModule,
  SERVICE_NAME,
  SERVICE_TRANSPORT,
  type HttpOnlyServiceDefinition,
  type ServiceDefinition,
  type ServiceStorage,
} from './platform.module.js';
export {
  InvalidInputException,
  ProblemDetailsFilter,
  type ProblemDetails,
} from './problem-details.filter.js';
export { createValidationPipe } from './validation.js';
export { DomainException, isDomainException, problemTypeOf } from './domain-exception.js';
