import { PUBLIC_API_PATHS } from '@aegis/contracts';
import type { ServiceOptions } from '@aegis/platform';
import cookieParser from 'cookie-parser';
import { mountApiDocs } from './openapi.js';
import { PROXY_PATH_PREFIX } from './proxy/proxy.controller.js';

/** The largest `POST /api/v1/usage` body: 1000 events with metadata are 200-300 KB. */
export const USAGE_BODY_LIMIT = '5mb';

/** How the gateway starts, in production and in tests alike. */
export const gatewayServiceOptions: ServiceOptions = {
  jsonBodyLimit: '1mb',
  jsonBodyLimits: [{ path: PUBLIC_API_PATHS.usage, limit: USAGE_BODY_LIMIT }],
  // The metered proxy streams request bodies to the upstream as they come.
  unparsedBodyPaths: [PROXY_PATH_PREFIX],
  beforeListen: (app) => {
    // The dashboard's session cookie (dashboard/dashboard-sessions.service.ts).
    app.use(cookieParser());
    mountApiDocs(app);
  },
};
