import type { ServiceOptions } from '@aegis/platform';
import { mountApiDocs } from './openapi.js';

/** How the gateway starts, in production and in tests alike. */
export const gatewayServiceOptions: ServiceOptions = {
  jsonBodyLimit: '1mb',
  beforeListen: mountApiDocs,
};
