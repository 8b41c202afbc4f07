import { CreateIngestSchema1763800000000 } from './1763800000000-create-ingest-schema.js';

/** Every migration of the `ingest` schema, oldest first. */
export const webhookIngestMigrations = [CreateIngestSchema1763800000000];
