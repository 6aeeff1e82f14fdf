/**
 * Least privilege, checked on what CloudFormation would deploy: every stack is
 * packaged (`serverless package`, local stage) and, for every function, its own
 * role must grant exactly what the list beside its handler names
 * (`src/handlers/<handler>.permissions.ts`), besides what every role holds (its
 * log group, X-Ray) and what its SQS event source needs; every resource is one
 * of the stack's own (or the stage's bus); no template keeps the framework's
 * default role (and its `execute-api:*:*:*` grant); the bus lets each event
 * source be put only by its service's roles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMENTS_SOURCE, POSTS_SOURCE } from '@live-comments/events';
import type { FunctionPermissions } from '@live-comments/shared/permissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver, type StackResource } from '../../local-cloud/src/topology/intrinsics';
import { packageStack } from '../../local-cloud/src/topology/package-stack';
import { root } from '../stacks';

const STAGE = 'local';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const WEBSOCKET_API_ID = 'websocket-api';
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/live-comments-${STAGE}`;
/** The event source each publishing service owns (events/src/contracts); the others publish nothing. */
const SOURCES: Record<string, string | undefined> = { posts: POSTS_SOURCE, comments: COMMENTS_SOURCE };
/** Actions IAM lets name no resource: only these may be granted on `*`. */
const RESOURCELESS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
const SQS_EVENT_SOURCE = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
const SERVICES = ['posts', 'comments', 'connections'];

interface Template {
  Resources: Record<string, StackResource & { DependsOn?: unknown }>;
  Conditions?: Record<string, unknown>;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

interface Role {
  RoleName: string;
  Policies: { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
  ManagedPolicyArns?: unknown[];
}

interface Packaged {
  service: string;
  template: Template;
  resolve: (value: unknown, path: string) => unknown;
  getAtt: (logicalId: string, attribute: string, path: string) => string;
}

const work = mkdtempSync(join(tmpdir(), 'roles-package-'));
let stacks: Packaged[];
let events: Packaged;

const scope = (service: string, template: Template) => {
  const functionNames = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id, resource]) => [id, String(resource.Properties?.FunctionName)]),
  );
  const resolver = createResolver({
    stack: `live-comments-${service}`,
    stackName: `live-comments-${service}-${STAGE}`,
    region: REGION,
    accountId: ACCOUNT,
    resources: template.Resources,
    conditions: template.Conditions ?? {},
    functionNames,
    httpApiId: 'http-api',
    webSocketApiId: WEBSOCKET_API_ID,
    edgeUrl: 'http://127.0.0.1:4566',
  });
  return { service, template, resolve: resolver.resolve, getAtt: resolver.getAtt };
};

beforeAll(async () => {
  const packaged = await Promise.all(
    [...SERVICES.map((service) => join(root, 'services', service)), join(root, 'events')].map((dir, index) =>
      packageStack<Template>(dir, join(work, String(index))),
    ),
  );
  stacks = SERVICES.map((service, index) => scope(service, packaged[index] as Template));
  events = scope('events', packaged[SERVICES.length] as Template);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** `<action> <resource ARN>`, one per pair a statement grants. */
const grantsOf = (statements: Statement[]) =>
  statements.flatMap((statement) =>
    list(statement.Action).flatMap((action) => list(statement.Resource).map((arn) => `${action} ${arn}`)),
  );

/** The ARN a permissions list's key names (see shared/src/permissions.ts). */
const arnOfKey = ({ getAtt }: Packaged, key: string, path: string) => {
  if (key === 'EventBus') return BUS_ARN;
  // `WebsocketsApi` is POST @connections (a frame); `WebsocketsApi/DELETE` closes a connection.
  if (key === 'WebsocketsApi' || key === 'WebsocketsApi/DELETE')
    return `arn:aws:execute-api:${REGION}:${ACCOUNT}:${WEBSOCKET_API_ID}/${STAGE}/${key === 'WebsocketsApi' ? 'POST' : 'DELETE'}/@connections/*`;
  const [table, index] = key.split('/index/');
  return index ? `${getAtt(table ?? '', 'Arn', path)}/index/${index}` : getAtt(key, 'Arn', path);
};

/** Every function of a packaged stack with its role (resolved) and the list beside its handler. */
const functionsOf = async (stack: Packaged) => {
  const { service, template, resolve } = stack;
  const functions = ofType(template, 'AWS::Lambda::Function');
  return Promise.all(
    functions.map(async ([logicalId, fn]) => {
      const properties = fn.Properties as { FunctionName: string; Handler: string; Role: unknown };
      const role = properties.Role as { 'Fn::GetAtt'?: [string, string] };
      const roleId = role['Fn::GetAtt']?.[0] ?? '';
      const roleResource = template.Resources[roleId];
      const handler = properties.Handler.slice(0, properties.Handler.lastIndexOf('.'));
      const { permissions } = (await import(
        join(root, 'services', service, `${handler}.permissions.ts`)
      )) as {
        permissions: FunctionPermissions;
      };
      return {
        logicalId,
        key: properties.FunctionName.slice(`live-comments-${service}-${STAGE}-`.length),
        functionName: properties.FunctionName,
        roleId,
        roleType: roleResource?.Type,
        role: resolve(roleResource?.Properties, `Resources.${roleId}.Properties`) as Role,
        permissions,
      };
    }),
  );
};

describe('function roles in the packaged templates', () => {
  it('give every function a role of its own, named <service>-<stage>-<region>-<function>, and keep no default role', async () => {
    let functions = 0;
    for (const stack of stacks) {
      const { service, template } = stack;
      expect(template.Resources, service).not.toHaveProperty('IamRoleLambdaExecution');
      const found = await functionsOf(stack);
      functions += found.length;
      for (const fn of found) {
        expect(fn.roleType, `${service}.${fn.key}'s Role`).toBe('AWS::IAM::Role');
        expect(fn.role.RoleName).toBe(`live-comments-${service}-${STAGE}-${REGION}-${fn.key}`);
        expect(fn.role.RoleName.length).toBeLessThanOrEqual(64);
        expect(fn.role.ManagedPolicyArns ?? [], fn.role.RoleName).toEqual([]);
      }
      const roles = ofType(template, 'AWS::IAM::Role').map(([id]) => id);
      expect(found.map((fn) => fn.roleId).sort(), `${service}: one role per function`).toEqual(roles.sort());
    }
    expect(functions).toBeGreaterThanOrEqual(20);
  });

  it("grant each function exactly its list, its log group, X-Ray and its SQS event source's receive", async () => {
    for (const stack of stacks) {
      const { service, template, resolve } = stack;
      const sources = ofType(template, 'AWS::Lambda::EventSourceMapping').map(([id, mapping]) => {
        const properties = resolve(mapping.Properties, `Resources.${id}`) as Record<string, string>;
        return { functionArn: String(properties.FunctionName), queueArn: String(properties.EventSourceArn) };
      });
      for (const fn of await functionsOf(stack)) {
        const where = `${service}.${fn.key}`;
        const expected = [
          ...['logs:CreateLogStream', 'logs:PutLogEvents'].map(
            (action) =>
              `${action} arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${fn.functionName}:*`,
          ),
          ...[...RESOURCELESS].map((action) => `${action} *`),
          ...sources
            .filter((source) => source.functionArn.endsWith(`:function:${fn.functionName}`))
            .flatMap((source) => SQS_EVENT_SOURCE.map((action) => `${action} ${source.queueArn}`)),
          ...Object.entries(fn.permissions).flatMap(([key, actions]) =>
            actions.map((action) => `${action} ${arnOfKey(stack, key, `${where} permissions ${key}`)}`),
          ),
        ];
        const statements = fn.role.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
        expect(
          statements.filter((statement) => statement.Effect !== 'Allow'),
          where,
        ).toEqual([]);
        expect(grantsOf(statements).sort(), where).toEqual([...new Set(expected)].sort());
      }
    }
  });

  it("name no resource outside the stack's own tables, queues, log groups, WebSocket API and the stage's bus", async () => {
    for (const stack of stacks) {
      const { service, template, getAtt } = stack;
      const own = new Set<string>([BUS_ARN]);
      for (const [id] of ofType(template, 'AWS::DynamoDB::Table')) own.add(getAtt(id, 'Arn', id));
      for (const [id] of ofType(template, 'AWS::SQS::Queue')) own.add(getAtt(id, 'Arn', id));
      for (const [id] of ofType(template, 'AWS::Logs::LogGroup')) own.add(getAtt(id, 'Arn', id));
      const ownTable = (arn: string) => own.has(arn.replace(/\/index\/[A-Za-z0-9_.-]+$/, ''));
      const connections = ['POST', 'DELETE'].map(
        (method) =>
          `arn:aws:execute-api:${REGION}:${ACCOUNT}:${WEBSOCKET_API_ID}/${STAGE}/${method}/@connections/*`,
      );
      for (const fn of await functionsOf(stack)) {
        for (const grant of grantsOf(fn.role.Policies.flatMap((policy) => policy.PolicyDocument.Statement))) {
          const [action = '', arn = ''] = grant.split(' ');
          const allowed =
            (arn === '*' && RESOURCELESS.has(action)) ||
            ownTable(arn) ||
            (connections.includes(arn) && ofType(template, 'AWS::ApiGatewayV2::Api').length > 0);
          expect(allowed, `${service}.${fn.key}: ${grant}`).toBe(true);
        }
      }
    }
  });

  it("let a function put events only of its service's own source (a Condition on events:source)", async () => {
    let publishers = 0;
    for (const stack of stacks) {
      for (const fn of await functionsOf(stack)) {
        for (const statement of fn.role.Policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
          const where = `${stack.service}.${fn.key}`;
          if (!list(statement.Action).includes('events:PutEvents')) {
            expect(statement.Condition, where).toBeUndefined();
            continue;
          }
          publishers++;
          expect(list(statement.Action), where).toEqual(['events:PutEvents']);
          const source = SOURCES[stack.service];
          expect(source, `${where}: the ${stack.service} service owns no event source`).toBeDefined();
          expect(statement.Condition, where).toEqual({ StringEquals: { 'events:source': source } });
        }
      }
    }
    expect(publishers).toBeGreaterThanOrEqual(6);
  });

  it("never keep the framework's execute-api:*:*:* @connections grant", () => {
    for (const { service, template } of [...stacks, events]) {
      expect(JSON.stringify(template), service).not.toMatch(/execute-api:\*/);
    }
  });
});

describe('the bus policy', () => {
  /** A StringLike pattern as a regular expression (`*` any run, `?` one character). */
  const like = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );

  it("denies putting each service's events to any principal but that service's roles", async () => {
    const statements = ofType(events.template, 'AWS::Events::EventBusPolicy').map(
      ([id, policy]) =>
        (events.resolve(policy.Properties, `Resources.${id}.Properties`) as { Statement: Statement })
          .Statement,
    );
    const roles = new Map<string, string[]>();
    for (const stack of stacks)
      roles.set(
        stack.service,
        (await functionsOf(stack)).map((fn) => `arn:aws:iam::${ACCOUNT}:role/${fn.role.RoleName}`),
      );
    for (const [service, source] of Object.entries(SOURCES)) {
      const guarding = statements.filter(
        (statement) => statement.Condition?.StringEquals?.['events:source'] === source,
      );
      expect(guarding, source).toHaveLength(1);
      const [statement] = guarding as [Statement];
      expect({ ...statement, Condition: undefined }).toEqual({
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: BUS_ARN,
        Condition: undefined,
      });
      const pattern = statement.Condition?.StringNotLike?.['aws:PrincipalArn'] ?? '';
      // Not denied: every role of the service; denied: every role of the other services.
      for (const [owner, arns] of roles)
        for (const arn of arns)
          expect(like(pattern).test(arn), `${source} from ${arn}`).toBe(owner === service);
    }
  });
});
