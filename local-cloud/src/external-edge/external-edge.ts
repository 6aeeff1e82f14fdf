/**
 * An external AWS edge (`LC_EDGE_URL`): LocalStack, moto's server, or anything
 * else that answers DynamoDB, SQS and EventBridge at one URL. The local cloud
 * provisions the topology there through the AWS SDK, as it does in its
 * embedded edge (the same inputs: ../edge/provision.ts), then the functions,
 * the pollers and the health probe talk to it over HTTP.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  createTableInput,
  dlqsFirst,
  queueAttributes,
  toTargetSpec,
  ttlAttributeOf,
} from '../edge/provision';
import { SettingsError } from '../settings-error';
import type { TableDef, Topology } from '../topology/model';

/** Which product answers at the URL, as far as its own routes tell ('local cloud': another `npm start`'s edge). */
export type ExternalEdgeProduct = 'LocalStack' | 'moto' | 'local cloud' | 'unknown';

export interface ExternalEdge {
  readonly kind: 'external';
  /** The URL as given, without a trailing slash: every function's AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly product: ExternalEdgeProduct;
  /**
   * Creates (or converges) the topology's tables with their TTL, queues (DLQs
   * first) with their redrive policies, buses, rules and targets. Returns what
   * this edge does differently from AWS for this topology, one line each.
   */
  provision(topology: Topology): Promise<string[]>;
  /** Each service answering a cheap call (`running`), or its error; `/health` shows it. */
  health(): Promise<ExternalEdgeHealth>;
  stop(): Promise<void>;
}

export interface ExternalEdgeHealth {
  url: string;
  product: ExternalEdgeProduct;
  services: Record<'dynamodb' | 'sqs' | 'events', string>;
  reachable: boolean;
}

export interface ExternalEdgeOptions {
  url: string;
  region: string;
  /** Per call; an unreachable edge fails within it. Default 3000 ms. */
  timeoutMs?: number;
}

/** What LocalStack and moto accept (neither checks signatures); LocalStack maps `test` to 000000000000. */
const EDGE_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

const errorText = (error: unknown) =>
  error instanceof Error ? (error.message || error.name).split('\n')[0] : String(error);

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

const detectProduct = async (url: string, timeoutMs: number): Promise<ExternalEdgeProduct> => {
  const bodyOf = async (path: string) => {
    try {
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.text();
      return response.ok ? body : undefined;
    } catch {
      return undefined;
    }
  };
  const health = await bodyOf('/_localstack/health');
  if (health?.includes('"services"'))
    return health.includes('live-comments-local-cloud') ? 'local cloud' : 'LocalStack';
  if ((await bodyOf('/moto-api/')) !== undefined) return 'moto';
  return 'unknown';
};

/**
 * Connects to the edge at `url`: each service must answer a read-only call,
 * else a SettingsError naming LC_EDGE_URL says what did not answer.
 */
export async function connectExternalEdge(options: ExternalEdgeOptions): Promise<ExternalEdge> {
  const url = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 3000;
  const config = {
    region: options.region,
    endpoint: url,
    credentials: EDGE_CREDENTIALS,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs * 4 },
  };
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const destroy = () => {
    dynamodb.destroy();
    sqs.destroy();
    events.destroy();
  };

  const probe = async (): Promise<ExternalEdgeHealth['services']> => {
    const [table, queue, bus] = await Promise.allSettled([
      dynamodb.send(new ListTablesCommand({ Limit: 1 })),
      sqs.send(new ListQueuesCommand({ MaxResults: 1 })),
      events.send(new ListEventBusesCommand({ Limit: 1 })),
    ]);
    const state = (settled: PromiseSettledResult<unknown>) =>
      settled.status === 'fulfilled' ? 'running' : `unreachable: ${errorText(settled.reason)}`;
    return { dynamodb: state(table), sqs: state(queue), events: state(bus) };
  };

  const [services, product] = await Promise.all([probe(), detectProduct(url, timeoutMs)]);
  const failed = Object.entries(services).filter(([, state]) => state !== 'running');
  if (failed.length > 0) {
    destroy();
    const what =
      failed.length === 3
        ? `${url} is not reachable as DynamoDB, SQS and EventBridge (${failed[0]?.[1].replace(/^unreachable: /, '')})`
        : `${url} does not answer ${failed.map(([service, state]) => `${service} (${state})`).join(', ')}`;
    throw new SettingsError(
      'LC_EDGE_URL',
      `${what}; start LocalStack (docker compose up -d) or moto (MOTO_ACCOUNT_ID=000000000000 moto_server -p 5170), or unset LC_EDGE_URL to use the embedded edge`,
    );
  }

  const provisionTable = async (table: TableDef) => {
    const exists = await dynamodb.send(new DescribeTableCommand({ TableName: table.name })).then(
      () => true,
      (error: unknown) => {
        if (nameOf(error) === 'ResourceNotFoundException') return false;
        throw error;
      },
    );
    // The stack's CloudFormation properties are CreateTable's fields, untyped until here.
    if (!exists)
      await dynamodb.send(
        new CreateTableCommand(createTableInput(table) as unknown as CreateTableCommandInput),
      );
    for (let attempt = 0; ; attempt += 1) {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      if (Table?.TableStatus === 'ACTIVE') break;
      if (attempt > 300) throw new Error(`table ${table.name} stayed ${Table?.TableStatus} on ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ttlAttribute = ttlAttributeOf(table);
    if (!ttlAttribute) return;
    const { TimeToLiveDescription: ttl } = await dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: table.name }),
    );
    // LocalStack refuses to enable a TTL that is already enabled.
    if (ttl?.TimeToLiveStatus === 'ENABLED' && ttl.AttributeName === ttlAttribute) return;
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: table.name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute },
      }),
    );
  };

  const provisionQueues = async (topology: Topology) => {
    for (const queue of dlqsFirst(topology.queues)) {
      const attributes = queueAttributes(queue);
      const existing = await sqs
        .send(new GetQueueUrlCommand({ QueueName: queue.name }))
        .catch((error: unknown) => {
          if (/QueueDoesNotExist|NonExistentQueue/.test(nameOf(error))) return undefined;
          throw error;
        });
      let queueUrl = existing?.QueueUrl;
      if (queueUrl) {
        // Converge attributes (a changed serverless.yml), as the embedded edge does.
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
      } else {
        const created = await sqs.send(
          new CreateQueueCommand({
            QueueName: queue.name,
            Attributes: { ...attributes, ...(queue.fifo ? { FifoQueue: 'true' } : {}) },
          }),
        );
        queueUrl = created.QueueUrl;
      }
      // The stacks' ARNs (redrive policies, rule targets, functions' queue URLs) name the
      // local account: an edge that puts queues elsewhere would deliver nowhere.
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      if (Attributes?.QueueArn && Attributes.QueueArn !== queue.arn) {
        const account = Attributes.QueueArn.split(':')[4];
        throw new SettingsError(
          'LC_EDGE_URL',
          `${url} keeps queue ${queue.name} in account ${account}, the local stacks are in ${topology.accountId} ` +
            `(${Attributes.QueueArn} is not ${queue.arn}); start moto with MOTO_ACCOUNT_ID=${topology.accountId}`,
        );
      }
    }
  };

  const provisionBus = async (name: string) => {
    if (name === 'default') return;
    await events.send(new CreateEventBusCommand({ Name: name })).catch((error: unknown) => {
      if (nameOf(error) !== 'ResourceAlreadyExistsException') throw error;
    });
  };

  return {
    kind: 'external',
    url,
    product,
    async provision(topology) {
      await Promise.all(topology.tables.map(provisionTable));
      await provisionQueues(topology);
      for (const bus of new Set([
        ...topology.buses.map((b) => b.name),
        ...topology.rules.map((r) => r.busName),
      ]))
        await provisionBus(bus);
      for (const rule of topology.rules) {
        await events.send(
          new PutRuleCommand({
            Name: rule.name,
            EventBusName: rule.busName,
            EventPattern:
              typeof rule.eventPattern === 'string' ? rule.eventPattern : JSON.stringify(rule.eventPattern),
            State: rule.state,
            ...(rule.description ? { Description: rule.description } : {}),
          }),
        );
        if (rule.targets.length === 0) continue;
        const targets = rule.targets.map((target) => {
          const spec = toTargetSpec(target);
          return product === 'moto' && spec.Input === undefined && spec.InputPath === undefined
            ? { ...spec, InputTransformer: MOTO_AWS_ENVELOPE }
            : spec;
        });
        const put = await events.send(
          new PutTargetsCommand({ Rule: rule.name, EventBusName: rule.busName, Targets: targets }),
        );
        if (put.FailedEntryCount) {
          throw new Error(
            `${url} refused targets of rule ${rule.name}: ${(put.FailedEntries ?? []).map((entry) => `${entry.TargetId} ${entry.ErrorCode} ${entry.ErrorMessage}`).join('; ')}`,
          );
        }
      }
      return differences(product, topology);
    },
    async health() {
      const services = await probe();
      return {
        url,
        product,
        services,
        reachable: Object.values(services).every((state) => state === 'running'),
      };
    },
    async stop() {
      destroy();
    },
  };
}

/**
 * moto 5.2 renders the event it sends a target through a default template
 * that leaves out `account`, which AWS's envelope has and the consumers'
 * contract requires (events/src/contract.ts). On moto each target without an
 * Input or InputPath of its own gets this transformer instead: AWS's envelope,
 * field for field. Placeholders are replaced in the map's order, so `detail`
 * (the only field with user text) comes last and no later placeholder can be
 * replaced inside it; moto turns the numeric `time` into AWS's ISO form.
 */
export const MOTO_AWS_ENVELOPE = {
  InputPathsMap: {
    lcId: '$.id',
    lcDetailType: '$.detail-type',
    lcSource: '$.source',
    lcAccount: '$.account',
    lcTime: '$.time',
    lcRegion: '$.region',
    lcResources: '$.resources',
    lcDetail: '$.detail',
  },
  InputTemplate:
    '{"version": "0", "id": "<lcId>", "detail-type": "<lcDetailType>", "source": "<lcSource>", ' +
    '"account": "<lcAccount>", "time": <lcTime>, "region": "<lcRegion>", "resources": <lcResources>, ' +
    '"detail": <lcDetail>}',
};

/**
 * What the edge at hand does differently from AWS for this topology, as
 * found on moto 5.2 (see ../edge/README.md, "An external edge").
 */
export function differences(product: ExternalEdgeProduct, topology: Topology): string[] {
  if (product !== 'moto') return [];
  const lines: string[] = [];
  const targets = topology.rules.flatMap((rule) => rule.targets.map((target) => ({ rule, target })));
  if (targets.some(({ target }) => target.retryPolicy || target.deadLetterArn)) {
    lines.push(
      'moto delivers rule targets inside PutEvents, once: no retry policy, no target DLQ (a missing queue fails the PutEvents call)',
    );
  }
  for (const { rule, target } of targets) {
    if (target.input !== undefined || target.inputPath !== undefined)
      lines.push(
        `moto ignores Input/InputPath of target ${target.id} of rule ${rule.name}: it sends the whole event`,
      );
  }
  if (topology.rules.some((rule) => rule.state === 'DISABLED'))
    lines.push('moto delivers to the targets of DISABLED rules too');
  if (topology.tables.some((table) => ttlAttributeOf(table)))
    lines.push('moto records DynamoDB TTL settings but never deletes expired items');
  return lines;
}
