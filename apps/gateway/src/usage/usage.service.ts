import { Injectable } from '@nestjs/common';
import {
  METERING_USAGE_PERIOD_V1,
  METERING_USAGE_QUERY_V1,
  METERING_USAGE_RECORD_V1,
  type RecordUsageResultV1,
  type UsageEventInputV1,
  type UsageResourceV1,
  type UsageSummaryV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { assertCustomerVisible } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { CustomerDirectory } from '../customers/customer-directory.js';
import { GatewayException, GatewayExceptionCode } from '../gateway.exception.js';
import { pageRequestOf, readPage } from '../http/list.js';
import { DEFAULT_USAGE_QUANTITY, usageQuantityOf, usageRangeOf } from './usage-input.js';
import { recordUsageResultOf, usageResourceOf, usageSummaryOf } from './usage-resources.js';
import type { SentUsageEvent, UsageBodyForm } from './usage-body.js';
import type { UsageQueryDto, UsageSummaryQueryDto } from './usage.dto.js';

interface FieldError {
  readonly field: string;
  readonly message: string;
}

function fieldOf(form: UsageBodyForm, index: number, field: string): string {
  return form === 'single' ? field : `events.${index}.${field}`;
}

/** The public body's name of a field metering names (`events.3.productId` is `events.3.product_id`). */
function publicFieldOf(form: UsageBodyForm, field: string): string {
  const named = field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return form === 'single' ? named.replace(/^events\.0\./, '') : named;
}

/** metering's refusal of a batch as the public body names it; anything else as it came. */
function asBodyFields(form: UsageBodyForm, error: unknown): unknown {
  if (!(error instanceof RpcRemoteError) || error.fields.length === 0) return error;
  return new InvalidInputException(
    error.fields.map(({ field, message }) => ({ field: publicFieldOf(form, field), message })),
  );
}

function isCustomerNotFound(error: unknown): boolean {
  return (
    error instanceof GatewayException && error.code === GatewayExceptionCode.CUSTOMER_NOT_FOUND
  );
}

/**
 * The public usage API over metering's RPC: which customer each event is
 * for (a customer key's own; an admin key's, checked with billing), then
 * metering stores, sums and pages. Ingest is not audited: it is the hot path,
 * not a change of configuration.
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly rpc: AmqpRpcClient,
    private readonly customers: CustomerDirectory,
  ) {}

  /** Stores the events all or nothing; a 400 names each field at fault as the body has it. */
  async record(
    principal: Principal,
    form: UsageBodyForm,
    events: readonly SentUsageEvent[],
  ): Promise<RecordUsageResultV1> {
    const inputs = await this.inputsOf(principal, form, events);
    const reply = await this.rpc
      .call(METERING_USAGE_RECORD_V1, { events: inputs })
      .catch((error: unknown) => {
        throw asBodyFields(form, error);
      });
    return recordUsageResultOf(reply);
  }

  /** One product's value for a customer over whole UTC days, with a page of its events. */
  async query(principal: Principal, query: UsageQueryDto): Promise<UsageResourceV1> {
    const customerId = this.customerOf(principal, query.customer_id);
    const range = usageRangeOf(query.start_date, query.end_date);
    if ('field' in range) throw new InvalidInputException([range]);
    const page = pageRequestOf(query);
    const reply = await this.withCustomerChecked(principal, customerId, () =>
      readPage(() =>
        this.rpc.call(METERING_USAGE_QUERY_V1, {
          customerId,
          productId: query.product_id,
          from: range.from,
          to: range.to,
          ...page,
        }),
      ),
    );
    return usageResourceOf(
      customerId,
      { startDate: query.start_date, endDate: query.end_date },
      reply,
    );
  }

  /** Every product's value for a customer and billing period; never closes the period. */
  async summary(principal: Principal, query: UsageSummaryQueryDto): Promise<UsageSummaryV1> {
    const customerId = this.customerOf(principal, query.customer_id);
    const reply = await this.withCustomerChecked(principal, customerId, () =>
      this.rpc.call(METERING_USAGE_PERIOD_V1, {
        customerId,
        billingPeriod: query.billing_period,
      }),
    );
    return usageSummaryOf(reply);
  }

  /** A read's customer: a customer key's own (another's is a 404); an admin key must name one. */
  private customerOf(principal: Principal, given: string | undefined): string {
    if (principal.kind === 'customer') {
      const customerId = given ?? principal.customerId;
      assertCustomerVisible(principal, customerId);
      return customerId;
    }
    if (given === undefined)
      throw new InvalidInputException([
        { field: 'customer_id', message: 'customer_id is required with an admin key' },
      ]);
    return given;
  }

  /**
   * `read` beside billing's check that an admin key's customer exists (a
   * customer key's does): an unknown customer is the 404 it is everywhere,
   * whatever metering answered.
   */
  private async withCustomerChecked<T>(
    principal: Principal,
    customerId: string,
    read: () => Promise<T>,
  ): Promise<T> {
    if (principal.kind === 'customer') return read();
    const [customer, answer] = await Promise.allSettled([
      this.customers.assertExists(customerId),
      read(),
    ]);
    if (customer.status === 'rejected') throw customer.reason;
    if (answer.status === 'rejected') throw answer.reason;
    return answer.value;
  }

  /**
   * The events as metering takes them: each one's customer (a customer key's
   * own, or the admin key's named and known to billing) and its quantity as
   * exact decimal text. A 400 names every field at fault; another customer's
   * id under a customer key is a 404.
   */
  private async inputsOf(
    principal: Principal,
    form: UsageBodyForm,
    events: readonly SentUsageEvent[],
  ): Promise<UsageEventInputV1[]> {
    const problems: FieldError[] = [];
    const inputs = events.map((event, index): UsageEventInputV1 => {
      // null is absent, as class-validator's @IsOptional() reads it.
      let customerId = event.customer_id ?? undefined;
      if (principal.kind === 'customer') {
        customerId ??= principal.customerId;
        assertCustomerVisible(principal, customerId);
      } else if (customerId === undefined)
        problems.push({
          field: fieldOf(form, index, 'customer_id'),
          message: 'customer_id is required with an admin key',
        });
      const quantity =
        event.quantity === undefined || event.quantity === null
          ? DEFAULT_USAGE_QUANTITY
          : usageQuantityOf(event.quantity);
      const { timestamp, metadata } = event;
      // Validated already; kept so that no quantity is ever guessed.
      if (quantity === undefined)
        problems.push({ field: fieldOf(form, index, 'quantity'), message: 'not a quantity' });
      return {
        customerId: customerId ?? '',
        productId: event.product_id,
        quantity: quantity ?? '',
        idempotencyKey: event.idempotency_key,
        ...(timestamp === undefined || timestamp === null ? {} : { timestamp }),
        ...(metadata === undefined || metadata === null ? {} : { metadata }),
        apiKeyId: principal.keyId,
      };
    });
    if (problems.length > 0) throw new InvalidInputException(problems);
    if (principal.kind === 'admin') await this.assertCustomersKnown(form, inputs);
    return inputs;
  }

  /** Each distinct customer asked of billing at once; an unknown one named at its first event. */
  private async assertCustomersKnown(
    form: UsageBodyForm,
    inputs: readonly UsageEventInputV1[],
  ): Promise<void> {
    const firstIndex = new Map<string, number>();
    inputs.forEach(({ customerId }, index) => {
      if (!firstIndex.has(customerId)) firstIndex.set(customerId, index);
    });
    const unknown = await Promise.all(
      [...firstIndex].map(async ([customerId, index]) => {
        try {
          await this.customers.assertExists(customerId);
          return [];
        } catch (error) {
          if (!isCustomerNotFound(error)) throw error;
          return [
            {
              field: fieldOf(form, index, 'customer_id'),
              message: `unknown customer ${customerId}`,
            },
          ];
        }
      }),
    );
    const problems = unknown.flat();
    if (problems.length > 0) throw new InvalidInputException(problems);
  }
}
