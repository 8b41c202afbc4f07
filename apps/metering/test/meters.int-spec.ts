import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CATALOG_PRODUCT_CREATED_V1,
  CATALOG_PRODUCT_UPDATED_V1,
  type CatalogProductV1,
} from '@aegis/contracts';
import { AmqpServer, type TopologyNames } from '@aegis/messaging';
import type { RunningService } from '@aegis/platform';
import { defined, waitFor } from '@aegis/testing';
import type { ConfirmChannel } from 'amqplib';
import { DataSource } from 'typeorm';
import { MeteringHarness } from './metering-harness.js';

type CatalogEventName = typeof CATALOG_PRODUCT_CREATED_V1 | typeof CATALOG_PRODUCT_UPDATED_V1;

describe('metering keeps its meters from the catalogue’s product events', () => {
  let harness: MeteringHarness;
  let service: RunningService;
  let dataSource: DataSource;
  let channel: ConfirmChannel;
  let names: TopologyNames;

  const product = (overrides: Partial<CatalogProductV1> = {}): CatalogProductV1 => ({
    productId: 'api_call',
    pricingType: 'usage',
    currency: 'usd',
    unitLabel: 'call',
    aggregation: 'sum',
    aggregationField: null,
    archived: false,
    updatedAt: '2026-11-01T10:00:00.000Z',
    ...overrides,
  });

  /** Publishes the events as billing's outbox relay does; returns their message ids. */
  const publish = async (
    events: readonly [CatalogEventName, CatalogProductV1][],
  ): Promise<string[]> => {
    const ids: string[] = [];
    for (const [type, data] of events) {
      const id = randomUUID();
      ids.push(id);
      channel.publish(
        names.eventsExchange,
        type,
        Buffer.from(
          JSON.stringify({
            id,
            type,
            version: 1,
            occurredAt: new Date().toISOString(),
            source: 'billing',
            correlationId: randomUUID(),
            data,
          }),
        ),
        { persistent: true, messageId: id },
      );
    }
    await channel.waitForConfirms();
    return ids;
  };

  const applied = (ids: readonly string[]) =>
    waitFor(
      async () => {
        const [row] = await dataSource.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM "metering"."inbox" WHERE "message_id" = ANY($1)`,
          [[...ids]],
        );
        return Number(row?.n);
      },
      (count) => count === ids.length,
      { what: `metering to apply ${ids.length} catalog events` },
    );

  const meterOf = async (productId: string): Promise<Record<string, unknown>> => {
    const [row] = await dataSource.query<Record<string, unknown>[]>(
      `SELECT "product_id", "pricing_type", "currency", "unit_label", "aggregation",
              "aggregation_field", "archived", "updated_at"
         FROM "metering"."meters" WHERE "product_id" = $1`,
      [productId],
    );
    return defined(row, `the meter of ${productId}`);
  };

  beforeAll(async () => {
    harness = await MeteringHarness.start();
    ({ service, dataSource, channel, names } = harness);
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('binds its queue to both catalog product events', () => {
    expect(service.app.get(AmqpServer).eventRoutingKeys).toEqual(
      expect.arrayContaining([CATALOG_PRODUCT_CREATED_V1, CATALOG_PRODUCT_UPDATED_V1]),
    );
  });

  it('makes a meter of a new product and follows its changes and archiving', async () => {
    await applied(await publish([[CATALOG_PRODUCT_CREATED_V1, product()]]));
    expect(await meterOf('api_call')).toStrictEqual({
      product_id: 'api_call',
      pricing_type: 'usage',
      currency: 'usd',
      unit_label: 'call',
      aggregation: 'sum',
      aggregation_field: null,
      archived: false,
      updated_at: new Date('2026-11-01T10:00:00.000Z'),
    });
    await applied(
      await publish([
        [
          CATALOG_PRODUCT_UPDATED_V1,
          product({ unitLabel: 'request', updatedAt: '2026-11-01T11:00:00.000Z' }),
        ],
      ]),
    );
    expect(await meterOf('api_call')).toMatchObject({ unit_label: 'request' });
    await applied(
      await publish([
        [
          CATALOG_PRODUCT_UPDATED_V1,
          product({ unitLabel: 'request', archived: true, updatedAt: '2026-11-01T12:00:00.000Z' }),
        ],
      ]),
    );
    expect(await meterOf('api_call')).toMatchObject({
      archived: true,
      updated_at: new Date('2026-11-01T12:00:00.000Z'),
    });
  });

  it('applies a product’s events only forward, whatever order they arrive in', async () => {
    const seats = (overrides: Partial<CatalogProductV1>): CatalogProductV1 =>
      product({
        productId: 'active_users',
        aggregation: 'unique_count',
        aggregationField: 'user_id',
        ...overrides,
      });
    const created = seats({ updatedAt: '2026-11-02T10:00:00.000Z' });
    const renamed = seats({ unitLabel: 'seat', updatedAt: '2026-11-02T10:00:00.001Z' });
    const archived = seats({
      unitLabel: 'seat',
      archived: true,
      updatedAt: '2026-11-02T10:00:05.000Z',
    });
    // The newest first: the two older ones, and a duplicate of the newest, change nothing.
    await applied(await publish([[CATALOG_PRODUCT_UPDATED_V1, archived]]));
    await applied(
      await publish([
        [CATALOG_PRODUCT_UPDATED_V1, renamed],
        [CATALOG_PRODUCT_CREATED_V1, created],
        [CATALOG_PRODUCT_UPDATED_V1, archived],
      ]),
    );
    expect(await meterOf('active_users')).toStrictEqual({
      product_id: 'active_users',
      pricing_type: 'usage',
      currency: 'usd',
      unit_label: 'seat',
      aggregation: 'unique_count',
      aggregation_field: 'user_id',
      archived: true,
      updated_at: new Date('2026-11-02T10:00:05.000Z'),
    });
  });

  it('keeps an outcome product unmetered', async () => {
    const report = product({
      productId: 'geoint_report',
      pricingType: 'outcome',
      unitLabel: null,
      aggregation: null,
    });
    await applied(await publish([[CATALOG_PRODUCT_CREATED_V1, report]]));
    expect(await meterOf('geoint_report')).toMatchObject({
      pricing_type: 'outcome',
      aggregation: null,
      unit_label: null,
    });
  });
});
