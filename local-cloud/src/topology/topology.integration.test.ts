/**
 * The topology must say what CloudFormation would deploy: for every real stack,
 * `serverless package` is run and its template compared with the topology
 * (routes, functions, rules with their patterns, SQS event source mappings),
 * and every rule must deliver exactly the contract versions its consumer parses.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmTemplate, loadRunbook, RUNBOOK_PATH } from '../../../scripts/ops/runbook';
import { matchesEventPattern } from '../eventbridge/pattern';
import { findStackDirs, loadTopology } from './index';
import { createResolver, type StackResource } from './intrinsics';
import type { FunctionDef, Topology } from './model';
import { packageStack } from './package-stack';
import { lambdaLogicalId } from './stack';

const root = join(import.meta.dirname, '..', '..', '..');
const ports = { http: 8000, websocket: 3001, edge: 4566, web: 3000 };
const work = mkdtempSync(join(tmpdir(), 'topology-package-'));

interface Template {
  Resources: Record<string, StackResource>;
  Conditions?: Record<string, unknown>;
}

interface Packaged {
  service: string;
  dir: string;
  template: Template;
  resolve: (value: unknown, path: string) => unknown;
}

let topology: Topology;
let packaged: Packaged[];

beforeAll(async () => {
  const stacks = await findStackDirs(root);
  const templates = Promise.all(
    stacks.map((stack) => packageStack<Template>(stack.dir, join(work, stack.service))),
  );
  topology = await loadTopology({ root, ports, cacheDir: join(work, 'cache') });
  packaged = (await templates).map((template, index) => {
    const service = stacks[index]?.service ?? '';
    const functions = topology.functions.filter((fn) => fn.service === service);
    const stack = functions[0]?.stack ?? service;
    const httpApi = topology.httpRoutes.find((route) => functions.some((fn) => fn.key === route.functionKey));
    const webSocketApi = topology.webSocketApis.find((api) => api.stack === stack);
    const resolver = createResolver({
      stack,
      stackName: `${stack}-local`,
      region: 'us-east-1',
      accountId: '000000000000',
      resources: template.Resources,
      conditions: template.Conditions ?? {},
      functionNames: Object.fromEntries(functions.map((fn) => [lambdaLogicalId(fn.name), fn.functionName])),
      ...(httpApi ? { httpApiId: httpApi.apiId } : {}),
      ...(webSocketApi ? { webSocketApiId: webSocketApi.apiId } : {}),
      edgeUrl: `http://127.0.0.1:${ports.edge}`,
    });
    return { service, dir: stacks[index]?.dir ?? '', template, resolve: resolver.resolve };
  });
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** The stack's rules on a bus, resolved: pattern (parsed when a string) and target ARNs. */
const rulesOf = ({ template, resolve }: Packaged) =>
  ofType(template, 'AWS::Events::Rule')
    .filter(([, rule]) => rule.Properties?.EventPattern !== undefined)
    .map(([logicalId, rule]) => {
      const properties = resolve(rule.Properties, `Resources.${logicalId}`) as Record<string, unknown>;
      const pattern = properties.EventPattern;
      return {
        logicalId,
        eventPattern: typeof pattern === 'string' ? JSON.parse(pattern) : pattern,
        targets: (properties.Targets as { Arn: string }[]).map((target) => target.Arn),
      };
    });

const hasCfnLint = await new Promise<boolean>((resolve) =>
  execFile('cfn-lint', ['--version'], (error) => resolve(!error)),
);

describe('packaged templates', () => {
  // cfn-lint is on these machines but not required: the check runs where it is present.
  it.skipIf(!hasCfnLint)('have no cfn-lint errors (warnings allowed)', async () => {
    for (const { service } of packaged) {
      const template = join(work, service, 'cloudformation-template-update-stack.json');
      const code = await new Promise<number>((resolve) =>
        execFile('cfn-lint', [template], (error) => resolve(error ? Number(error.code ?? 1) : 0)),
      );
      // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational; 1 = it failed to run.
      expect({ service, errors: code === 1 || (code & 2) !== 0 }).toEqual({ service, errors: false });
    }
  });

  it('send every alarm, and its return to OK, to the alarm topic of its stack', () => {
    let alarms = 0;
    for (const { service, template } of packaged) {
      const topics = ofType(template, 'AWS::SNS::Topic').map(([id]) => id);
      for (const [id, alarm] of ofType(template, 'AWS::CloudWatch::Alarm')) {
        alarms++;
        const properties = alarm.Properties as { AlarmActions?: unknown[]; OKActions?: unknown[] };
        for (const actions of [properties.AlarmActions, properties.OKActions]) {
          expect(actions, `${service} ${id}`).toEqual([{ Ref: 'AlarmTopic' }]);
        }
        expect(topics, service).toContain('AlarmTopic');
      }
    }
    expect(alarms).toBeGreaterThanOrEqual(10);
  });

  it(`have an entry in ${RUNBOOK_PATH} for every alarm, with what it means, where to look and the fix`, () => {
    const alarms = packaged.flatMap(({ service, template }) =>
      ofType(template, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => {
        const name = (alarm.Properties as { AlarmName?: unknown }).AlarmName;
        expect(typeof name, `${service} ${id} has no AlarmName for its runbook entry`).toBe('string');
        return { where: `${service} ${id}`, name: alarmTemplate(String(name), 'local') };
      }),
    );
    expect(alarms.length).toBeGreaterThanOrEqual(10);
    const entries = loadRunbook(root);
    const written = entries.map((entry) => entry.alarm);
    for (const { where, name } of alarms)
      expect(written, `${where}: no heading ### \`${name}\` in ${RUNBOOK_PATH}`).toContain(name);
    // And no entry for an alarm that is gone or renamed.
    expect(written.filter((name) => !alarms.some((alarm) => alarm.name === name))).toEqual([]);
    for (const entry of entries) expect(entry.missing, `${RUNBOOK_PATH} ${entry.alarm}`).toEqual([]);
  });

  it('give every service a dashboard that shows every metric its code emits, with its service and stage', () => {
    const services = packaged.filter(({ template }) => ofType(template, 'AWS::Lambda::Function').length > 0);
    expect(services.length).toBeGreaterThanOrEqual(3);
    for (const { service, dir, template } of services) {
      const [[, dashboard] = []] = ofType(template, 'AWS::CloudWatch::Dashboard');
      if (!dashboard) throw new Error(`${service} has no AWS::CloudWatch::Dashboard`);
      const body = (dashboard.Properties as { DashboardBody: { 'Fn::Sub': string } }).DashboardBody[
        'Fn::Sub'
      ];
      // Every ${...} the body substitutes is a pseudo parameter or a resource of this stack.
      for (const [, name = ''] of body.matchAll(/\$\{([^}]+)\}/g)) {
        if (!name.startsWith('AWS::'))
          expect(template.Resources, `${service}: ${name}`).toHaveProperty(name.split('.')[0] ?? '');
      }
      const widgets = (JSON.parse(body) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
      const shown = widgets
        .flatMap((widget) => widget.properties.metrics ?? [])
        .filter((metric) => metric[0] === 'LiveComments');
      // Powertools' `service` dimension is the functions' POWERTOOLS_SERVICE_NAME.
      const [[, someFunction] = []] = ofType(template, 'AWS::Lambda::Function');
      const { Environment } = (someFunction?.Properties ?? {}) as {
        Environment?: { Variables?: Record<string, unknown> };
      };
      const powertoolsService = Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
      for (const metric of shown) {
        // Powertools' dimensions: the service name and the stage (shared/src/powertools.ts).
        expect(metric.slice(2, 6), `${service} ${String(metric[1])}`).toEqual([
          'service',
          powertoolsService,
          'stage',
          'local',
        ]);
      }
      const emitted = new Set<string>();
      for (const file of readdirSync(join(dir, 'src'), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
        const source = readFileSync(join(dir, 'src', file), 'utf8');
        for (const [, name = ''] of source.matchAll(/(?:addMetric\(\s*|_METRIC\s*=\s*)'([A-Za-z]+)'/g))
          emitted.add(name);
      }
      expect(new Set(shown.map((metric) => String(metric[1]))), service).toEqual(emitted);
    }
  });
});

describe('topology against serverless package', () => {
  it('compares something: the real stacks have functions, routes and resources', () => {
    expect(packaged.length).toBeGreaterThan(1);
    expect(topology.functions.length).toBeGreaterThan(0);
    expect(topology.httpRoutes.length).toBeGreaterThan(0);
  });

  it('has every HTTP route of the templates and no other', () => {
    for (const { service, template } of packaged) {
      const expected = ofType(template, 'AWS::ApiGatewayV2::Route')
        .filter(([id]) => id.startsWith('HttpApiRoute'))
        .map(([, route]) => route.Properties?.RouteKey);
      const actual = topology.httpRoutes
        .filter((route) => route.functionKey.startsWith(`${service}.`))
        .map((route) => route.routeKey);
      expect(actual.sort(), service).toEqual(expected.sort());
    }
  });

  it('has every WebSocket route of the templates', () => {
    for (const { service, template } of packaged) {
      const expected = ofType(template, 'AWS::ApiGatewayV2::Route')
        .filter(([id]) => id.endsWith('WebsocketsRoute'))
        .map(([, route]) => route.Properties?.RouteKey);
      const actual = topology.webSocketApis
        .flatMap((api) => api.routes)
        .filter((route) => route.functionKey.startsWith(`${service}.`))
        .map((route) => route.route);
      expect(actual.sort(), service).toEqual((expected as string[]).sort());
    }
  });

  it('has the functions of the templates with their names, timeouts, memory and environment keys', () => {
    for (const { service, template } of packaged) {
      const expected = ofType(template, 'AWS::Lambda::Function').map(([, fn]) => ({
        functionName: fn.Properties?.FunctionName,
        timeoutSeconds: fn.Properties?.Timeout,
        memorySize: fn.Properties?.MemorySize,
        environment: Object.keys(
          (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
            {},
        ).sort(),
      }));
      const actual = topology.functions
        .filter((fn) => fn.service === service)
        .map((fn) => ({
          functionName: fn.functionName,
          timeoutSeconds: fn.timeoutSeconds,
          memorySize: fn.memorySize,
          environment: Object.keys(fn.environment).sort(),
        }));
      const byName = (a: { functionName: unknown }, b: { functionName: unknown }) =>
        String(a.functionName).localeCompare(String(b.functionName));
      expect(actual.sort(byName), service).toEqual(expected.sort(byName));
    }
  });

  it("gives each function its template's execution role, with the role's statements (logs aside)", () => {
    // The edge evaluates these statements: they must be what CloudFormation would create.
    const key = (statement: unknown) => JSON.stringify(statement);
    const notLogs = (statement: unknown) =>
      ![(statement as { Action?: unknown }).Action]
        .flat(2)
        .every((action) => String(action).startsWith('logs:'));
    let compared = 0;
    for (const packagedStack of packaged) {
      const { service, template, resolve } = packagedStack;
      for (const [logicalId, fn] of ofType(template, 'AWS::Lambda::Function')) {
        const roleArn = resolve(fn.Properties?.Role, `Resources.${logicalId}.Properties.Role`);
        const def = topology.functions.find(
          (candidate) => candidate.functionName === fn.Properties?.FunctionName,
        );
        expect(def?.roleArn, `${service}: ${logicalId}`).toBe(roleArn);
        const roleId = ofType(template, 'AWS::IAM::Role').find(
          ([id]) => resolve({ 'Fn::GetAtt': [id, 'Arn'] }, `Resources.${id}`) === roleArn,
        )?.[0];
        if (!roleId) continue;
        const policies = resolve(
          template.Resources[roleId]?.Properties?.Policies ?? [],
          `Resources.${roleId}`,
        ) as {
          PolicyDocument: { Statement: unknown[] };
        }[];
        const attached = ofType(template, 'AWS::IAM::Policy')
          .map(([id, policy]) => resolve(policy.Properties, `Resources.${id}`) as Record<string, unknown>)
          .filter((policy) => [policy.Roles].flat().includes(resolve({ Ref: roleId }, roleId)))
          .flatMap((policy) => (policy.PolicyDocument as { Statement: unknown[] }).Statement);
        const expected = [...policies.flatMap((policy) => policy.PolicyDocument.Statement), ...attached];
        const role = topology.roles?.find((candidate) => candidate.arn === roleArn);
        expect(role?.statements.filter(notLogs).map(key).sort(), `${service}: ${roleId}`).toEqual(
          expected.filter(notLogs).map(key).sort(),
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it("has each function's reserved concurrency and each SQS mapping's maximum concurrency", () => {
    for (const { service, template, resolve } of packaged) {
      const names = new Map(topology.functions.map((fn) => [fn.functionName, fn.key]));
      const reserved = ofType(template, 'AWS::Lambda::Function')
        .filter(([, fn]) => fn.Properties?.ReservedConcurrentExecutions !== undefined)
        .map(([, fn]) => [fn.Properties?.FunctionName, fn.Properties?.ReservedConcurrentExecutions]);
      expect(
        topology.functions
          .filter((fn) => fn.service === service && fn.reservedConcurrency !== undefined)
          .map((fn) => [fn.functionName, fn.reservedConcurrency]),
        service,
      ).toEqual(reserved);
      const maximum = ofType(template, 'AWS::Lambda::EventSourceMapping')
        .map(([logicalId, mapping]) => {
          const properties = resolve(mapping.Properties, `Resources.${logicalId}`) as Record<string, unknown>;
          const functionArn = String(properties.FunctionName);
          const scaling = properties.ScalingConfig as { MaximumConcurrency?: number } | undefined;
          return [
            names.get(functionArn.slice(functionArn.lastIndexOf(':') + 1)),
            scaling?.MaximumConcurrency,
          ];
        })
        .filter(([, concurrency]) => concurrency !== undefined);
      expect(
        topology.sqsEventSources
          .filter((source) => source.functionKey.startsWith(`${service}.`) && source.maximumConcurrency)
          .map((source) => [source.functionKey, source.maximumConcurrency]),
        service,
      ).toEqual(maximum);
    }
  });

  it('has every rule with its name, bus, pattern and targets', () => {
    for (const stack of packaged) {
      const { service } = stack;
      const expected = rulesOf(stack);
      const stacks = new Set(topology.functions.filter((fn) => fn.service === service).map((fn) => fn.stack));
      const actual = topology.rules
        .filter((rule) => stacks.has(rule.stack) || (service === 'events' && rule.stack.endsWith('-events')))
        .map((rule) => ({
          logicalId: rule.logicalId,
          eventPattern: rule.eventPattern,
          targets: rule.targets.map((target) => target.arn),
        }));
      expect(actual, service).toEqual(expected);
    }
  });

  it('has every SQS event source mapping with its settings', () => {
    for (const { service, template, resolve } of packaged) {
      const names = new Map(topology.functions.map((fn) => [fn.functionName, fn.key]));
      const expected = ofType(template, 'AWS::Lambda::EventSourceMapping').map(([logicalId, mapping]) => {
        const properties = resolve(mapping.Properties, `Resources.${logicalId}`) as Record<string, unknown>;
        const functionArn = String(properties.FunctionName);
        return {
          functionKey: names.get(functionArn.slice(functionArn.lastIndexOf(':') + 1)),
          queueArn: properties.EventSourceArn,
          batchSize: properties.BatchSize,
          maximumBatchingWindowSeconds: properties.MaximumBatchingWindowInSeconds ?? 0,
          reportBatchItemFailures: (
            (properties.FunctionResponseTypes as string[] | undefined) ?? []
          ).includes('ReportBatchItemFailures'),
          enabled: properties.Enabled !== false,
        };
      });
      const actual = topology.sqsEventSources
        .filter((source) => source.functionKey.startsWith(`${service}.`))
        .map(({ maximumConcurrency: _ignored, ...source }) => source);
      const byKey = (a: { functionKey?: string | undefined }, b: { functionKey?: string | undefined }) =>
        String(a.functionKey).localeCompare(String(b.functionKey));
      expect(actual.sort(byKey), service).toEqual(expected.sort(byKey));
    }
  });
});

/** What a consumer declares of each contract it parses (`eventConsumer({ contracts })` keeps them on the handler). */
interface DeclaredContract {
  source: string;
  detailType: string;
  version: number;
}

/** The handler a function runs, imported with the environment its serverless.yml gives it (config loads at import). */
async function handlerOf(fn: FunctionDef): Promise<{ contracts?: readonly DeclaredContract[] } | undefined> {
  const dot = fn.handler.lastIndexOf('.');
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_REGION: 'us-east-1', ...fn.environment });
  try {
    const module = (await import(
      pathToFileURL(join(fn.serviceDir, `${fn.handler.slice(0, dot)}.ts`)).href
    )) as Record<string, { contracts?: readonly DeclaredContract[] }>;
    return module[fn.handler.slice(dot + 1)];
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

const nameOf = ({ source, detailType, version }: DeclaredContract) => `${source} ${detailType} v${version}`;

/** An event of that source, detail-type and version, as the bus would hold it. */
const probe = ({ source, detailType, version }: DeclaredContract) => ({
  version: '0',
  id: 'probe',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    version,
    eventId: 'probe',
    correlationId: 'probe',
    occurredAt: '2026-01-01T00:00:00.000Z',
    data: {},
  },
});

describe('rules against their consumers', () => {
  it('deliver to every event consumer exactly the contract versions it declares (source, detail-type, version)', async () => {
    const consumers: {
      key: string;
      contracts: readonly DeclaredContract[];
      patterns: { id: string; pattern: unknown }[];
    }[] = [];
    for (const stack of packaged) {
      const { service, template, resolve } = stack;
      const rules = rulesOf(stack).map(({ logicalId, eventPattern, targets }) => ({
        id: `${service} ${logicalId}`,
        pattern: eventPattern,
        queues: targets,
      }));
      const byName = new Map(topology.functions.map((fn) => [fn.functionName, fn]));
      for (const [logicalId, mapping] of ofType(template, 'AWS::Lambda::EventSourceMapping')) {
        const properties = resolve(mapping.Properties, `Resources.${logicalId}`) as Record<string, unknown>;
        const functionArn = String(properties.FunctionName);
        const fn = byName.get(functionArn.slice(functionArn.lastIndexOf(':') + 1));
        if (!fn) throw new Error(`${service} ${logicalId}: no function ${functionArn} in the topology`);
        const feeding = rules.filter((rule) => rule.queues.includes(String(properties.EventSourceArn)));
        const contracts = (await handlerOf(fn))?.contracts;
        if (!contracts) {
          // Not an event consumer (the fan-out queue's, say): no rule may feed its queue.
          expect(
            feeding.map((rule) => rule.id),
            `${fn.key} declares no contracts`,
          ).toEqual([]);
          continue;
        }
        expect(feeding.length, `${fn.key}: no rule feeds its queue`).toBeGreaterThan(0);
        consumers.push({ key: fn.key, contracts, patterns: feeding });
      }
    }
    expect(consumers.map((consumer) => consumer.key).sort()).toEqual(
      expect.arrayContaining(['comments.projectPosts', 'connections.broadcast', 'posts.countComments']),
    );
    // Every contract any consumer declares, the next version of each, another detail-type of each
    // source and another source: a rule must match exactly its consumer's own, and nothing else.
    const declared = consumers.flatMap((consumer) => consumer.contracts);
    const probes = new Map(
      [
        ...declared,
        ...declared.map((contract) => ({ ...contract, version: contract.version + 1 })),
        ...declared.map((contract) => ({ ...contract, detailType: `${contract.detailType}Unknown` })),
        ...declared.map((contract) => ({ ...contract, source: `${contract.source}.unknown` })),
      ].map((contract) => [nameOf(contract), contract]),
    );
    for (const { key, contracts, patterns } of consumers) {
      const delivered = [...probes.values()]
        .filter((contract) => patterns.some(({ pattern }) => matchesEventPattern(pattern, probe(contract))))
        .map(nameOf);
      expect(delivered.sort(), `${key} <- ${patterns.map((rule) => rule.id).join(', ')}`).toEqual(
        contracts.map(nameOf).sort(),
      );
    }
  });
});
