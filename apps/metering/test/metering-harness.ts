import { DEFAULT_RETRY_DELAYS_MS } from '@aegis/config';
import type { Aggregation, CatalogProductV1 } from '@aegis/contracts';
import { topologyNames, type TopologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import {
  baseAmqpUrl,
  createTestDatabase,
  createTestPrefix,
  deleteServiceTopologies,
  startTestService,
  useTestEnvironment,
  waitUntilReady,
  type TestDatabase,
} from '@aegis/testing';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module.js';
import { MetersService } from '../src/meters/meters.service.js';

/**
 * metering in this process on the test's own database and broker prefix,
 * with a confirm channel to publish on the events exchange as other
 * services' relays do.
 */
export class MeteringHarness {
  private constructor(
    private readonly database: TestDatabase,
    private readonly broker: ChannelModel,
    readonly service: RunningService,
    readonly channel: ConfirmChannel,
    readonly names: TopologyNames,
    /** The run's broker prefix, for an RPC caller (TestRpcCaller) of its own. */
    readonly prefix: string,
  ) {}

  static async start(): Promise<MeteringHarness> {
    const database = await createTestDatabase();
    const prefix = createTestPrefix();
    useTestEnvironment({ databaseUrl: database.url, amqpUrl: baseAmqpUrl(), prefix });
    const service = await startTestService(AppModule, 'metering');
    const broker = await connect(baseAmqpUrl());
    const channel = await broker.createConfirmChannel();
    await waitUntilReady(service.url, { what: 'metering to be ready' });
    return new MeteringHarness(
      database,
      broker,
      service,
      channel,
      topologyNames(prefix, 'metering', DEFAULT_RETRY_DELAYS_MS),
      prefix,
    );
  }

  /**
   * A usage product in metering's copy of the catalogue, as its
   * `catalog.product.*` event would put it there (billing does not run here):
   * `sum` unless told, `unique_count` counting `metadata.user`.
   */
  async addMeter(
    productId: string,
    aggregation: Aggregation | null,
    overrides: Partial<CatalogProductV1> = {},
  ): Promise<void> {
    await this.service.app.get(MetersService).apply(this.dataSource.manager, {
      productId,
      pricingType: 'usage',
      currency: 'usd',
      unitLabel: null,
      aggregation,
      aggregationField: aggregation === 'unique_count' ? 'user' : null,
      archived: false,
      updatedAt: new Date().toISOString(),
      ...overrides,
    });
  }

  get dataSource(): DataSource {
    return this.service.app.get(DataSource);
  }

  async stop(): Promise<void> {
    await this.service.app.close();
    await this.broker.close();
    await deleteServiceTopologies(baseAmqpUrl(), [this.names]);
    await this.database.drop();
  }
}
