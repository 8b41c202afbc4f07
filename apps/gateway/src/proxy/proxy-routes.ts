import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { EnvValidationError } from '@aegis/config';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { SCOPE_PATTERN } from '../api-keys/dto/api-key.dto.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

/** One configured route of the metered proxy: `/proxy/{name}/…` forwards to `upstream`. */
export interface ProxyRoute {
  readonly name: string;
  /** The upstream's base URL; the caller's path after `/proxy/{name}` is appended to its path. */
  readonly upstream: URL;
  /** The meter of the usage event each answered call records. */
  readonly productId: string;
  readonly quantity: number;
  /** The scope a customer key needs to call the route. */
  readonly scope: string;
  /** The longest the upstream may stay silent: connecting, and before and during its answer. */
  readonly timeoutMs: number;
  /** Whether calls the upstream answers with a 5xx are billed too. */
  readonly billServerErrors: boolean;
}

class ProxyRouteEntry {
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
    message:
      'must be lower-case letters, digits, _ and - (at most 64), starting with a letter or digit',
  })
  name!: string;

  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'must be an http:// or https:// URL' },
  )
  @Matches(/^[^?#@]*$/, { message: 'must have no credentials, query or fragment' })
  upstream!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  product_id!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @Matches(SCOPE_PATTERN, {
    message: 'must be a scope: lower-case letters, digits and _.:*- (at most 64)',
  })
  scope!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600_000)
  timeout_ms?: number;

  @IsOptional()
  @IsBoolean()
  bill_server_errors?: boolean;
}

class RoutesFile {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProxyRouteEntry)
  routes!: ProxyRouteEntry[];
}

/** `routes[1].upstream: must be …` for each failed constraint, however deep. */
function problemsOf(errors: readonly ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent === ''
        ? error.property
        : `${parent}.${error.property}`;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => `${field}: ${message}`),
      ...problemsOf(error.children ?? [], field),
    ];
  });
}

function duplicateNameProblems(entries: unknown): string[] {
  if (!Array.isArray(entries)) return [];
  const firstIndex = new Map<string, number>();
  return entries.flatMap((entry: unknown, index) => {
    if (!(entry instanceof ProxyRouteEntry) || typeof entry.name !== 'string') return [];
    const first = firstIndex.get(entry.name);
    if (first === undefined) {
      firstIndex.set(entry.name, index);
      return [];
    }
    return [`routes[${index}].name: "${entry.name}" is already the name of routes[${first}]`];
  });
}

function routeOf(entry: ProxyRouteEntry): ProxyRoute {
  return {
    name: entry.name,
    upstream: new URL(entry.upstream),
    productId: entry.product_id,
    quantity: entry.quantity ?? 1,
    scope: entry.scope,
    timeoutMs: entry.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    billServerErrors: entry.bill_server_errors ?? false,
  };
}

/**
 * The routes of a routes file's text: JSON for a `.json` file, YAML (which reads JSON too)
 * otherwise. Anything malformed is an EnvValidationError naming the file and each field at fault.
 */
export function parseProxyRoutes(text: string, fileName: string): ProxyRoute[] {
  const refuse = (problems: string[]): EnvValidationError =>
    new EnvValidationError([`GATEWAY_ROUTES_FILE (${fileName}): ${problems.join('; ')}`]);
  let content: unknown;
  try {
    content = extname(fileName).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw refuse([`cannot be parsed: ${(error as Error).message}`]);
  }
  if (content === null || typeof content !== 'object' || Array.isArray(content))
    throw refuse(['must be an object with a "routes" list']);
  const file = plainToInstance(RoutesFile, content);
  const errors = validateSync(file, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  const problems = [...problemsOf(errors), ...duplicateNameProblems(file.routes)];
  if (problems.length > 0) throw refuse(problems);
  return file.routes.map(routeOf);
}

/** The metered proxy's routes, read once at start from `GATEWAY_ROUTES_FILE`. */
export class ProxyRoutes {
  private readonly byName: ReadonlyMap<string, ProxyRoute>;

  constructor(routes: readonly ProxyRoute[]) {
    this.byName = new Map(routes.map((route) => [route.name, route]));
  }

  /** No file: no routes, and every `/proxy/…` call answers 404. */
  static fromFile(path: string | undefined): ProxyRoutes {
    if (path === undefined) return new ProxyRoutes([]);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new EnvValidationError([
        `GATEWAY_ROUTES_FILE (${path}): cannot be read: ${(error as Error).message}`,
      ]);
    }
    return new ProxyRoutes(parseProxyRoutes(text, path));
  }

  get all(): readonly ProxyRoute[] {
    return [...this.byName.values()];
  }

  find(name: string): ProxyRoute | undefined {
    return this.byName.get(name);
  }
}
