import { CreateGatewaySchema1763800000000 } from './1763800000000-create-gateway-schema.js';

/** Every migration of the `gateway` schema, oldest first. */
export const gatewayMigrations = [CreateGatewaySchema1763800000000];
