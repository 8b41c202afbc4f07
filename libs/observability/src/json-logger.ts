import type { LoggerService } from '@nestjs/common';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { currentCorrelationId } from './correlation.js';

/** Nest's logger interface on top of pino: one JSON object per line, with the correlation id. */
export class JsonLogger implements LoggerService {
  private readonly logger: Logger;

  constructor(service: string, level: LevelWithSilent = 'info') {
    this.logger = pino({
      level,
      base: { service },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId === undefined ? {} : { correlationId };
      },
    });
  }

  setLevel(level: LevelWithSilent): void {
    this.logger.level = level;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /**
   * Nest calls `logger.error(message, stack, context)` and `logger.log(message, context)`;
   * the last string argument is the context, an Error anywhere is serialised with its stack.
   */
  private write(
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    const fields: Record<string, unknown> = {};
    const extra = [...rest];
    const last = extra.at(-1);
    if (typeof last === 'string') {
      fields.context = last;
      extra.pop();
    }
    for (const item of extra) {
      if (item instanceof Error) fields.err = item;
      else if (typeof item === 'string') fields.stack = item;
      else if (item !== undefined && item !== null && typeof item === 'object')
        Object.assign(fields, item);
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'string') {
      this.logger[level](fields, message);
    } else {
      this.logger[level]({ ...fields, data: message }, '');
    }
  }
}
