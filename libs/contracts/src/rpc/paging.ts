import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 100;

/** The public API's names of the two cursors (`?starting_after=`, `?ending_before=`). */
export const PAGE_CURSOR_FIELDS = ['starting_after', 'ending_before'] as const;
export type PageCursorField = (typeof PAGE_CURSOR_FIELDS)[number];

/**
 * The error code (status 400) a list answers when its cursor names no object
 * of the list, or when both cursors are given: one code per field, because an
 * RPC error carries only a code, a status and a message, and the gateway must
 * still name the field at fault.
 */
export const PAGE_CURSOR_ERROR_CODES = {
  starting_after: 'invalid_starting_after',
  ending_before: 'invalid_ending_before',
} as const satisfies Record<PageCursorField, string>;

/** The cursor field an error code of PAGE_CURSOR_ERROR_CODES names, if it is one. */
export function pageCursorFieldOf(code: string): PageCursorField | undefined {
  return PAGE_CURSOR_FIELDS.find((field) => PAGE_CURSOR_ERROR_CODES[field] === code);
}

function NotTogetherWith(property: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notTogetherWith',
      constraints: [property],
      validator: {
        validate: (value: unknown, args) =>
          value === undefined || (args?.object as Record<string, unknown>)[property] === undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'this cursor'} and ${property} cannot be used together`,
      },
    },
    options,
  );
}

/**
 * The page a list request asks for, newest first: at most `limit` objects,
 * either those older than `startingAfter` or those newer than `endingBefore`
 * (an id from a previous page), or the newest when neither is given. Every
 * list route's request is this class, or extends it with the list's filters.
 */
export class PageRequestV1 {
  /** Absent on the wire: DEFAULT_PAGE_LIMIT. */
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  startingAfter?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  @NotTogetherWith('startingAfter')
  endingBefore?: string;
}

/**
 * What every list route's reply says beside its objects (a field named for
 * them, e.g. `customers`, newest first): whether more objects lie beyond the
 * page in the direction it was read (older after `startingAfter` or without a
 * cursor, newer before `endingBefore`).
 */
export abstract class PageReplyV1 {
  @IsBoolean()
  hasMore!: boolean;
}
