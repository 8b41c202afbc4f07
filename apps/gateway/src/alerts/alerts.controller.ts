import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  ALERT_TYPES,
  type AlertListQueryV1,
  type AlertResourceV1,
  type AlertTypeV1,
  type ListV1,
} from '@aegis/contracts';
import { paginateNewestFirst } from '@aegis/persistence';
import { IsIn, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import { RequireApiKey } from '../auth/access.decorators.js';
import { ListQueryDto, listOf, pageRequestOf, readPage } from '../http/list.js';
import { AlertList } from './alert-resources.js';
import { Alert } from './alert.entity.js';
import { alertResourceOf } from './alerts.service.js';

export class AlertListQueryDto extends ListQueryDto implements AlertListQueryV1 {
  @ApiPropertyOptional({ enum: ALERT_TYPES, description: 'only alerts of this rule' })
  @IsOptional()
  @IsIn(ALERT_TYPES)
  type?: AlertTypeV1;
}

/** Alerts (docs/alerts.md); admin keys only. */
@ApiTags('operations')
@RequireApiKey()
@Controller('api/v1/alerts')
export class AlertsController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({
    summary:
      'Alerts, newest first: failed payments, cancellations, high-value transactions, disputes and their deadlines, disabled webhook endpoints, webhook processing failures',
  })
  @ApiOkResponse({ type: AlertList })
  @ApiResponse({ status: 400, description: 'bad type or cursor, named in errors' })
  @ApiResponse({ status: 403, description: 'admin keys only' })
  async list(@Query() query: AlertListQueryDto): Promise<ListV1<AlertResourceV1>> {
    const builder = this.dataSource.getRepository(Alert).createQueryBuilder('alert');
    if (query.type !== undefined) builder.where('alert.type = :type', { type: query.type });
    const { items, hasMore } = await readPage(() =>
      paginateNewestFirst(
        builder,
        { alias: 'alert', id: 'id', createdAt: 'createdAt' },
        pageRequestOf(query),
      ),
    );
    return listOf(items.map(alertResourceOf), hasMore);
  }
}
