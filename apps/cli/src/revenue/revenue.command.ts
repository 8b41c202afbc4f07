import {
  REVENUE_API_PATHS,
  REVENUE_DATE_PATTERN,
  REVENUE_INTERVALS,
  type MetricsResourceV1,
  type RevenueByProductResourceV1,
  type RevenueIntervalV1,
  type RevenueResourceV1,
  type RevenueTimeseriesResourceV1,
} from '@aegis/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import type { CommandContext } from '../command-context.js';
import { jsonOption, type JsonOption } from '../options/option-parsers.js';
import {
  formatMetrics,
  formatRevenue,
  formatRevenueByProduct,
  formatRevenueSeries,
  type PerCurrency,
} from './revenue-output.js';

export type RevenueCommand =
  | {
      readonly kind: 'revenue';
      readonly view: 'totals' | 'by-product' | 'series';
      readonly interval: RevenueIntervalV1;
      readonly from: string;
      readonly to: string;
      readonly currency?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'metrics';
      readonly at?: string;
      readonly movementsFrom?: string;
      readonly currency?: string;
      readonly json: boolean;
    };

interface RevenueOptions extends JsonOption {
  readonly byProduct?: true;
  readonly series?: true;
  readonly interval?: RevenueIntervalV1;
  readonly from?: string;
  readonly to?: string;
  readonly currency?: string;
}

interface MetricsOptions extends JsonOption {
  readonly at?: string;
  readonly movementsFrom?: string;
  readonly currency?: string;
}

function date(value: string): string {
  if (!REVENUE_DATE_PATTERN.test(value))
    throw new InvalidArgumentError('must be a date, YYYY-MM-DD');
  return value;
}

function instant(value: string): string {
  if (Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError('must be a date YYYY-MM-DD or an ISO 8601 date-time');
  return value;
}

function currency(value: string): string {
  if (!/^[a-zA-Z]{3}$/.test(value))
    throw new InvalidArgumentError('must be a three-letter ISO currency code');
  return value.toLowerCase();
}

/** The first day of the current UTC month and today: the default range. */
function defaultRange(now: Date): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  return { from: `${to.slice(0, 8)}01`, to };
}

/** `aegis revenue [--by-product|--series]` and `aegis metrics`; each command line read goes to `parsed`. */
export function defineRevenueCommands(
  program: Command,
  parsed: (command: RevenueCommand) => void,
  now: () => Date = () => new Date(),
): void {
  program
    .command('revenue')
    .summary('revenue of a date range: total, refunded, disputed, net; by product; as a series')
    .description(
      'revenue of the succeeded charges made from --from to --to (UTC days, both included; default this month): total, charges, refunded, lost disputes, net, per currency (never converted); --by-product: gross by product or plan; --series: one point per day, week or month (docs/metrics.md)',
    )
    .addOption(
      new Option('--by-product', 'gross by product, plan:<id> or unattributed').conflicts('series'),
    )
    .addOption(new Option('--series', 'one point per --interval, empty ones included'))
    .addOption(
      new Option('--interval <interval>', 'the series’ interval')
        .choices(REVENUE_INTERVALS)
        .default('day'),
    )
    .addOption(
      new Option('--from <YYYY-MM-DD>', 'first day (UTC); default the 1st of this month').argParser(
        date,
      ),
    )
    .addOption(
      new Option('--to <YYYY-MM-DD>', 'last day (UTC), included; default today').argParser(date),
    )
    .addOption(new Option('--currency <code>', 'only this currency').argParser(currency))
    .addOption(jsonOption())
    .action((options: RevenueOptions) => {
      const range = defaultRange(now());
      parsed({
        kind: 'revenue',
        view:
          options.byProduct === true ? 'by-product' : options.series === true ? 'series' : 'totals',
        interval: options.interval ?? 'day',
        from: options.from ?? range.from,
        to: options.to ?? range.to,
        ...(options.currency === undefined ? {} : { currency: options.currency }),
        json: options.json === true,
      });
    });

  program
    .command('metrics')
    .summary('MRR, ARR, ARPU, customers, churn, LTV, failed payments, MRR movements')
    .description(
      'the subscription metrics at --at (default now; a day means its end, UTC), churn over the UTC month before it, MRR movements from --movements-from (default that month’s start), per currency (docs/metrics.md)',
    )
    .addOption(
      new Option('--at <when>', 'a day YYYY-MM-DD (its end) or an ISO 8601 instant').argParser(
        instant,
      ),
    )
    .addOption(
      new Option(
        '--movements-from <when>',
        'where the MRR movements start (a day: its start)',
      ).argParser(instant),
    )
    .addOption(new Option('--currency <code>', 'only this currency').argParser(currency))
    .addOption(jsonOption())
    .action((options: MetricsOptions) => {
      parsed({
        kind: 'metrics',
        ...(options.at === undefined ? {} : { at: options.at }),
        ...(options.movementsFrom === undefined ? {} : { movementsFrom: options.movementsFrom }),
        ...(options.currency === undefined ? {} : { currency: options.currency }),
        json: options.json === true,
      });
    });
}

export async function runRevenueCommand(
  command: RevenueCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  if (command.kind === 'metrics') {
    const { body } = await client.get<PerCurrency<MetricsResourceV1>>(REVENUE_API_PATHS.metrics, {
      at: command.at,
      movements_from: command.movementsFrom,
      currency: command.currency,
    });
    printer.answer(body, formatMetrics(body));
    return EXIT_OK;
  }
  const query = { start_date: command.from, end_date: command.to, currency: command.currency };
  const range = `${command.from} to ${command.to}`;
  if (command.view === 'by-product') {
    const { body } = await client.get<PerCurrency<RevenueByProductResourceV1>>(
      REVENUE_API_PATHS.revenueByProduct,
      query,
    );
    printer.answer(body, formatRevenueByProduct(body, range, command.currency));
  } else if (command.view === 'series') {
    const { body } = await client.get<PerCurrency<RevenueTimeseriesResourceV1>>(
      REVENUE_API_PATHS.revenueTimeseries,
      { ...query, interval: command.interval },
    );
    printer.answer(body, formatRevenueSeries(body, range));
  } else {
    const { body } = await client.get<PerCurrency<RevenueResourceV1>>(
      REVENUE_API_PATHS.revenue,
      query,
    );
    printer.answer(body, formatRevenue(body, range));
  }
  return EXIT_OK;
}
