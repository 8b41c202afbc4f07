import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { RecordUsageResultV1, UsageResourceV1, UsageSummaryV1 } from '@aegis/contracts';
import { InvalidInputException, createValidationPipe } from '@aegis/platform';
import { CurrentPrincipal, CustomerKeysAllowed, RequireApiKey } from '../auth/access.decorators.js';
import type { Principal } from '../auth/principal.js';
import { isUsageBatch, isUsageEventBody, validUsageBodyOf } from './usage-body.js';
import { RecordUsageResult, UsageResource, UsageSummary } from './usage-resources.js';
import { RecordUsageDto, UsageEventDto, UsageQueryDto, UsageSummaryQueryDto } from './usage.dto.js';
import { UsageService } from './usage.service.js';

/** The scope a customer key needs to record its own usage. */
export const USAGE_WRITE_SCOPE = 'usage:write';
/** The scope a customer key needs to read its own usage. */
export const USAGE_READ_SCOPE = 'usage:read';

/** Usage metering: metering's, over RPC. Customer keys record and read their own usage. */
@ApiTags('usage')
@RequireApiKey()
@Controller('api/v1/usage')
export class UsageController {
  /** The body is one event or `{events}`: refused, when it is neither, as the global pipe would. */
  private readonly validation = createValidationPipe();

  constructor(private readonly usage: UsageService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @CustomerKeysAllowed({ scope: USAGE_WRITE_SCOPE })
  @ApiOperation({
    summary: 'Record usage: one event, or {events} with up to 1000 (all or nothing)',
    description:
      'Each event is stored once answered and counted once per (customer_id, idempotency_key) forever; a repeat is reported among the duplicates with the stored event’s id. Bad fields are named as `<field>` (one event) or `events.<index>.<field>` (a batch). Bodies up to 5 MB.',
  })
  @ApiExtraModels(UsageEventDto, RecordUsageDto)
  @ApiBody({
    schema: {
      oneOf: [{ $ref: getSchemaPath(UsageEventDto) }, { $ref: getSchemaPath(RecordUsageDto) }],
    },
  })
  @ApiAcceptedResponse({ type: RecordUsageResult })
  @ApiResponse({ status: 413, description: 'a body above 5 MB' })
  async record(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ): Promise<RecordUsageResultV1> {
    const { form, events } = validUsageBodyOf(body) ?? (await this.refusalOf(body));
    return this.usage.record(principal, form, events);
  }

  /**
   * A body with something at fault: the validation pipe names each field, as
   * it does on every route. What it would let through (a list in the place of
   * an event) is refused all the same.
   */
  private async refusalOf(body: unknown): Promise<never> {
    const batch = isUsageBatch(body);
    const validated: unknown = await this.validation.transform(body, {
      type: 'body',
      metatype: batch ? RecordUsageDto : UsageEventDto,
    });
    const events = batch ? (validated as RecordUsageDto).events : [validated];
    const index = Math.max(
      0,
      events.findIndex((event) => !isUsageEventBody(event)),
    );
    throw new InvalidInputException([
      batch
        ? { field: `events.${index}`, message: `events.${index} must be a usage event, an object` }
        : { field: 'body', message: 'the body must be a usage event or {events: [...]}' },
    ]);
  }

  @Get()
  @CustomerKeysAllowed({ scope: USAGE_READ_SCOPE })
  @ApiOperation({
    summary:
      "A product's usage for a customer over whole UTC days (end_date included), with a page of its events",
  })
  @ApiOkResponse({ type: UsageResource })
  query(
    @CurrentPrincipal() principal: Principal,
    @Query() query: UsageQueryDto,
  ): Promise<UsageResourceV1> {
    return this.usage.query(principal, query);
  }

  @Get('summary')
  @CustomerKeysAllowed({ scope: USAGE_READ_SCOPE })
  @ApiOperation({ summary: 'The value of every usage product for a customer and billing period' })
  @ApiOkResponse({ type: UsageSummary })
  summary(
    @CurrentPrincipal() principal: Principal,
    @Query() query: UsageSummaryQueryDto,
  ): Promise<UsageSummaryV1> {
    return this.usage.summary(principal, query);
  }
}
