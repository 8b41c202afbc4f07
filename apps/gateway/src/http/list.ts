import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  pageCursorFieldOf,
  type ListQueryV1,
  type ListV1,
} from '@aegis/contracts';
import { RpcRemoteError } from '@aegis/messaging';
import { PageCursorError, type PageRequest } from '@aegis/persistence';
import { InvalidInputException } from '@aegis/platform';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?limit&starting_after&ending_before` of every list. */
export class ListQueryDto implements ListQueryV1 {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'an id from the previous page: the objects older than it' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  starting_after?: string;

  @ApiPropertyOptional({ description: 'an id from the previous page: the objects newer than it' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  ending_before?: string;
}

export function pageRequestOf(query: ListQueryDto): PageRequest {
  if (query.starting_after !== undefined && query.ending_before !== undefined)
    throw new InvalidInputException([
      {
        field: 'ending_before',
        message: 'starting_after and ending_before cannot be used together',
      },
    ]);
  return {
    limit: query.limit ?? DEFAULT_PAGE_LIMIT,
    ...(query.starting_after === undefined ? {} : { startingAfter: query.starting_after }),
    ...(query.ending_before === undefined ? {} : { endingBefore: query.ending_before }),
  };
}

export function listOf<T>(data: readonly T[], hasMore: boolean): ListV1<T> {
  return { object: 'list', data, has_more: hasMore };
}

/**
 * A page read here or by a service over RPC, with a cursor the list does not
 * know answered as a 400 naming the cursor's field.
 */
export async function readPage<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PageCursorError)
      throw new InvalidInputException([{ field: error.field, message: error.message }]);
    const field = error instanceof RpcRemoteError ? pageCursorFieldOf(error.code) : undefined;
    if (field !== undefined && error instanceof Error)
      throw new InvalidInputException([{ field, message: error.message }]);
    throw error;
  }
}
