import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';

type MigrationClass = new () => object;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity list type is `Function | string | EntitySchema`.
type EntityTarget = Function | EntitySchema;

export interface ServiceDataSourceOptions {
  readonly databaseUrl: string;
  /** The schema the service owns; its migrations table lives there too. */
  readonly schema: string;
  readonly entities: MixedList<EntityTarget>;
  /** Migration classes in order; listed explicitly so compiled and source builds behave alike. */
  readonly migrations: readonly MigrationClass[];
  readonly applicationName: string;
  readonly poolSize?: number;
}

export function serviceDataSourceOptions(options: ServiceDataSourceOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.databaseUrl,
    schema: options.schema,
    entities: options.entities,
    migrations: [...options.migrations],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    applicationName: options.applicationName,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  };
}

export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource(serviceDataSourceOptions(options));
}
