import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  REVENUE_DATE_PATTERN,
  REVENUE_INTERVALS,
  type MetricsQueryV1,
  type RevenueIntervalV1,
  type RevenueQueryV1,
  type RevenueTimeseriesQueryV1,
} from '@aegis/contracts';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

const CURRENCY_DESCRIPTION =
  'only this currency (lower case); without it, several currencies answer {by_currency: {<currency>: …}}';

export class RevenueQueryDto implements RevenueQueryV1 {
  @ApiProperty({ example: '2026-12-01', description: 'first day counted (UTC), included' })
  @Matches(REVENUE_DATE_PATTERN, { message: 'start_date must be a date YYYY-MM-DD' })
  start_date!: string;

  @ApiProperty({ example: '2026-12-31', description: 'last day counted (UTC), included' })
  @Matches(REVENUE_DATE_PATTERN, { message: 'end_date must be a date YYYY-MM-DD' })
  end_date!: string;

  @ApiPropertyOptional({ example: 'usd', description: CURRENCY_DESCRIPTION })
  @IsOptional()
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code in lower case' })
  currency?: string;
}

export class RevenueTimeseriesQueryDto extends RevenueQueryDto implements RevenueTimeseriesQueryV1 {
  @ApiProperty({
    enum: REVENUE_INTERVALS,
    description: 'one point per interval (weeks start on Monday)',
  })
  @IsIn(REVENUE_INTERVALS, { message: 'interval must be one of day, week, month' })
  interval!: RevenueIntervalV1;
}

export class MetricsQueryDto implements MetricsQueryV1 {
  @ApiPropertyOptional({
    example: '2026-12-31',
    description:
      'an ISO 8601 instant (excluded), or a day YYYY-MM-DD meaning its end (UTC); default now',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 date-time or a date YYYY-MM-DD' })
  at?: string;

  @ApiPropertyOptional({
    example: '2026-12-01',
    description:
      'where the MRR movements start (included; a day means its start, UTC); default the start of the churn period',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'movements_from must be an ISO 8601 date-time or a date YYYY-MM-DD' },
  )
  movements_from?: string;

  @ApiPropertyOptional({ example: 'usd', description: CURRENCY_DESCRIPTION })
  @IsOptional()
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a three-letter ISO code in lower case' })
  currency?: string;
}
