export {
  createServiceDataSource,
  serviceDataSourceOptions,
  type ServiceDataSourceOptions,
} from './data-source.js';
export { databaseNameOf, dropDatabase, ensureDatabase, redactUrl } from './database.js';
export { isSchemaCurrent, migrateSchema } from './migrations.js';
export { DatabaseReadiness, MigrateOnStart } from './persistence.js';
export { exactBigint } from './exact-bigint.js';
export { lockUntilCommit } from './lock.js';
export {
  PageCursorError,
  paginateNewestFirst,
  type Page,
  type PageKeyset,
  type PageRequest,
} from './pagination.js';
export { GatheringQueue, type GatheringQueueOptions } from './gathering-queue.js';
export { GroupCommit, type GroupCommitOptions } from './group-commit.js';
