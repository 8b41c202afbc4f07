import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditLogEntryV1, ListV1 } from '@aegis/contracts';
import { paginateNewestFirst } from '@aegis/persistence';
import { DataSource } from 'typeorm';
import { RequireApiKey } from '../auth/access.decorators.js';
import { ListQueryDto, listOf, pageRequestOf, readPage } from '../http/list.js';
import { AuditEntry } from './audit-entry.entity.js';

@ApiTags('operations')
@RequireApiKey()
@Controller('api/v1/audit_log')
export class AuditLogController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Every admin change: which key, what, when, request id; newest first' })
  async list(@Query() query: ListQueryDto): Promise<ListV1<AuditLogEntryV1>> {
    const { items, hasMore } = await readPage(() =>
      paginateNewestFirst(
        this.dataSource.getRepository(AuditEntry).createQueryBuilder('entry'),
        { alias: 'entry', id: 'id', createdAt: 'createdAt' },
        pageRequestOf(query),
      ),
    );
    return listOf(
      items.map((entry) => ({
        id: entry.id,
        key_id: entry.keyId,
        action: entry.action,
        target: entry.target,
        request_id: entry.requestId,
        created_at: entry.createdAt.toISOString(),
      })),
      hasMore,
    );
  }
}
