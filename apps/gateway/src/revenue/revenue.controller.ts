import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import {
  BILLING_METRICS_V1,
  BILLING_REVENUE_BY_PRODUCT_V1,
  BILLING_REVENUE_TIMESERIES_V1,
  BILLING_REVENUE_V1,
  type MetricsResourceV1,
  type RevenueByProductResourceV1,
  type RevenueResourceV1,
  type RevenueTimeseriesResourceV1,
} from '@aegis/contracts';
import { AmqpRpcClient, RpcRemoteError } from '@aegis/messaging';
import { InvalidInputException } from '@aegis/platform';
import { RequireApiKey } from '../auth/access.decorators.js';
import { MetricsQueryDto, RevenueQueryDto, RevenueTimeseriesQueryDto } from './revenue.dto.js';
import {
  EMPTY_REVENUE,
  MetricsResource,
  RevenueResource,
  RevenueTimeseriesResource,
  emptyMetricsOf,
  instantOfAt,
  instantOfFrom,
  metricsResourceOf,
  perCurrency,
  revenueByProductResourceOf,
  revenueResourceOf,
  timeseriesResourceOf,
  type PerCurrency,
} from './revenue-resources.js';

const BAD_INPUT = 'bad input: errors names each field at fault';
const REVENUE_TIMEOUT_MS = 15_000;

/** billing's field names in the query's spelling. */
const PUBLIC_FIELDS: Readonly<Record<string, string>> = {
  startDate: 'start_date',
  endDate: 'end_date',
  movementsFrom: 'movements_from',
};

/** billing's refusal of a range as the public API answers it: 400 naming the query's fields. */
async function mapped<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof RpcRemoteError && error.status === 400 && error.fields.length > 0)
      throw new InvalidInputException(
        error.fields.map(({ field, message }) => ({
          field: PUBLIC_FIELDS[field] ?? field,
          message: message.replace(
            /\b(startDate|endDate|movementsFrom)\b/g,
            (name) => PUBLIC_FIELDS[name] ?? name,
          ),
        })),
      );
    throw error;
  }
}

const byCurrencyOf = (model: string) => ({
  oneOf: [
    { $ref: getSchemaPath(model) },
    {
      type: 'object',
      properties: {
        by_currency: { type: 'object', additionalProperties: { $ref: getSchemaPath(model) } },
      },
    },
  ],
});

/**
 * Revenue and metrics (docs/metrics.md): billing's, over RPC. Admin keys only.
 * One currency (asked, or the only one) answers the route's shape; several,
 * none asked, answer `{by_currency: {<currency>: shape}}`: never converted.
 */
@ApiTags('revenue')
@ApiExtraModels(RevenueResource, RevenueTimeseriesResource, MetricsResource)
@RequireApiKey()
@Controller('api/v1')
export class RevenueController {
  constructor(private readonly rpc: AmqpRpcClient) {}

  @Get('revenue')
  @ApiOperation({
    summary: 'Revenue of a date range: gross, count, refunded, lost disputes, net',
    description:
      'Every succeeded charge made from start_date to end_date (UTC, both included); its refunds and disputes count with it whenever they happen. net_cents = total_cents − refunded_cents − disputed_cents.',
  })
  @ApiOkResponse({ schema: byCurrencyOf('RevenueResource') })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  async revenue(@Query() query: RevenueQueryDto): Promise<PerCurrency<RevenueResourceV1>> {
    const reply = await mapped(
      this.rpc.call(
        BILLING_REVENUE_V1,
        { startDate: query.start_date, endDate: query.end_date, currency: query.currency },
        { timeoutMs: REVENUE_TIMEOUT_MS },
      ),
    );
    return perCurrency(reply.currencies, revenueResourceOf, EMPTY_REVENUE);
  }

  @Get('revenue/by_product')
  @ApiOperation({
    summary: 'Gross revenue of a date range by product or plan',
    description:
      'Keys are product ids, plan:<plan id>, or unattributed (a payment naming neither); the values sum to total_cents of GET /api/v1/revenue.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      example: { geoint_report: 99_900, api_call: 50_100 },
    },
  })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  async byProduct(
    @Query() query: RevenueQueryDto,
  ): Promise<PerCurrency<RevenueByProductResourceV1>> {
    const reply = await mapped(
      this.rpc.call(
        BILLING_REVENUE_BY_PRODUCT_V1,
        { startDate: query.start_date, endDate: query.end_date, currency: query.currency },
        { timeoutMs: REVENUE_TIMEOUT_MS },
      ),
    );
    return perCurrency(reply.currencies, revenueByProductResourceOf, {});
  }

  @Get('revenue/timeseries')
  @ApiOperation({
    summary:
      'Revenue of a date range by day, week (from Monday) or month, empty intervals included',
  })
  @ApiOkResponse({ schema: byCurrencyOf('RevenueTimeseriesResource') })
  @ApiResponse({ status: 400, description: `${BAD_INPUT}; at most 1000 points` })
  async timeseries(
    @Query() query: RevenueTimeseriesQueryDto,
  ): Promise<PerCurrency<RevenueTimeseriesResourceV1>> {
    const reply = await mapped(
      this.rpc.call(
        BILLING_REVENUE_TIMESERIES_V1,
        {
          startDate: query.start_date,
          endDate: query.end_date,
          interval: query.interval,
          currency: query.currency,
        },
        { timeoutMs: REVENUE_TIMEOUT_MS },
      ),
    );
    return perCurrency(reply.currencies, timeseriesResourceOf(query.interval), {
      data: [],
      interval: query.interval,
      currency: null,
    });
  }

  @Get('metrics')
  @ApiOperation({
    summary: 'MRR, ARR, ARPU, active customers, churn, LTV, failed payment rate, MRR movements',
    description:
      'At an instant (default now); churn and failed payments over the UTC month of the instant before it; movements from movements_from (default that month’s start) to at.',
  })
  @ApiOkResponse({ schema: byCurrencyOf('MetricsResource') })
  @ApiResponse({ status: 400, description: BAD_INPUT })
  async metrics(@Query() query: MetricsQueryDto): Promise<PerCurrency<MetricsResourceV1>> {
    const at = instantOfAt(query.at);
    const movementsFrom = instantOfFrom(query.movements_from);
    const reply = await mapped(
      this.rpc.call(
        BILLING_METRICS_V1,
        {
          ...(at === undefined ? {} : { at }),
          ...(movementsFrom === undefined ? {} : { movementsFrom }),
          ...(query.currency === undefined ? {} : { currency: query.currency }),
        },
        { timeoutMs: REVENUE_TIMEOUT_MS },
      ),
    );
    return perCurrency(reply.currencies, metricsResourceOf(reply), emptyMetricsOf(reply));
  }
}
