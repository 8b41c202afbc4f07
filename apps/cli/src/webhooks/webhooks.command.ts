import {
  OPERATIONS_API_PATHS,
  type CreateWebhookEndpointBodyV1,
  type CreatedWebhookEndpointV1,
  type DeletedWebhookEndpointV1,
  type ListQueryV1,
  type ListV1,
  type WebhookDeliveryResourceV1,
  type WebhookEndpointResourceV1,
} from '@aegis/contracts';
import type { Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  listQueryOf,
  webhookEventList,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import {
  formatCreatedEndpoint,
  formatDeletedEndpoint,
  formatDeliveryTable,
  formatEndpointTable,
} from './webhooks-output.js';

export type WebhooksCommand =
  | {
      readonly kind: 'webhooks.endpoints.create';
      readonly body: CreateWebhookEndpointBodyV1;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'webhooks.endpoints.list';
      readonly query: ListQueryV1;
      readonly json: boolean;
    }
  | {
      readonly kind: 'webhooks.endpoints.delete';
      readonly endpointId: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'webhooks.deliveries';
      readonly endpointId: string;
      readonly query: ListQueryV1;
      readonly json: boolean;
    };

interface CreateOptions extends JsonOption, IdempotencyKeyOption {
  readonly events: string[];
}

/** `aegis webhooks endpoints create|list|delete` and `aegis webhooks deliveries`. */
export function defineWebhooksCommands(
  program: Command,
  parsed: (command: WebhooksCommand) => void,
): void {
  const webhooks = program
    .command('webhooks')
    .description('signed outbound webhooks to the operator (admin key)');
  const endpoints = webhooks.command('endpoints').description('the endpoints webhooks go to');

  endpoints
    .command('create')
    .description('an endpoint for the events named (or *): prints its signing secret, this once')
    // An argument, not --url: that is every command's gateway URL.
    .argument('<url>', 'where to POST (http or https)')
    .requiredOption(
      '--events <types>',
      'comma-separated event types (e.g. alert.payment_failed,billing.transaction.updated.v1), or *',
      webhookEventList,
    )
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((url: string, options: CreateOptions) => {
      parsed({
        kind: 'webhooks.endpoints.create',
        body: { url, events: options.events },
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  withListOptions(endpoints.command('list').description('the endpoints, newest first'))
    .addOption(jsonOption())
    .action((options: ListOptions & JsonOption) => {
      parsed({
        kind: 'webhooks.endpoints.list',
        query: listQueryOf(options),
        json: options.json === true,
      });
    });

  endpoints
    .command('delete')
    .description('delete an endpoint and its deliveries: nothing more is sent to it')
    .argument('<endpoint_id>')
    .addOption(jsonOption())
    .action((endpointId: string, options: JsonOption) => {
      parsed({ kind: 'webhooks.endpoints.delete', endpointId, json: options.json === true });
    });

  withListOptions(
    webhooks
      .command('deliveries')
      .description(
        'an endpoint’s deliveries, newest first, with their attempts (--json: each attempt)',
      )
      .argument('<endpoint_id>'),
  )
    .addOption(jsonOption())
    .action((endpointId: string, options: ListOptions & JsonOption) => {
      parsed({
        kind: 'webhooks.deliveries',
        endpointId,
        query: listQueryOf(options),
        json: options.json === true,
      });
    });
}

export async function runWebhooksCommand(
  command: WebhooksCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  switch (command.kind) {
    case 'webhooks.endpoints.create': {
      const { body } = await client.post<CreatedWebhookEndpointV1>(
        OPERATIONS_API_PATHS.webhookEndpoints,
        command.body,
        idempotencyOf(command),
      );
      printer.answer(body, formatCreatedEndpoint(body));
      return EXIT_OK;
    }
    case 'webhooks.endpoints.list': {
      const { body } = await client.get<ListV1<WebhookEndpointResourceV1>>(
        OPERATIONS_API_PATHS.webhookEndpoints,
        command.query,
      );
      printer.answer(body, [
        ...formatEndpointTable(body),
        ...nextPageHint('aegis webhooks endpoints list', command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'webhooks.endpoints.delete': {
      const { body } = await client.delete<DeletedWebhookEndpointV1>(
        OPERATIONS_API_PATHS.webhookEndpoint(command.endpointId),
      );
      printer.answer(body, formatDeletedEndpoint(body));
      return EXIT_OK;
    }
    case 'webhooks.deliveries': {
      const { body } = await client.get<ListV1<WebhookDeliveryResourceV1>>(
        OPERATIONS_API_PATHS.webhookEndpointDeliveries(command.endpointId),
        command.query,
      );
      printer.answer(body, [
        ...formatDeliveryTable(body),
        ...nextPageHint(`aegis webhooks deliveries ${command.endpointId}`, command.query, body),
      ]);
      return EXIT_OK;
    }
  }
}
