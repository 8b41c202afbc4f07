import { CreateSandboxSchema1763900000000 } from './1763900000000-create-sandbox-schema.js';

/** Every migration of the `sandbox` schema, oldest first. */
export const sandboxMigrations = [CreateSandboxSchema1763900000000];
