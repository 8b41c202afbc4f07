import type { ServiceOptions } from '@aegis/platform';
import { mountApiDocs } from './openapi.js';
import { PROXY_PATH_PREFIX } from './proxy/proxy.controller.js';

/** How the gateway starts, in production and in tests alike. */
export const gatewayServiceOptions: ServiceOptions = {
  jsonBodyLimit: '1mb',
  // The metered proxy streams request bodies to the upstream as they come.
  unparsedBodyPaths: [PROXY_PATH_PREFIX],
  beforeListen: mountApiDocs,
};
