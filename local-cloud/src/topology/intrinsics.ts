/**
 * CloudFormation intrinsics resolved against the local cloud's names: a Ref to a
 * table gives its name, a Ref to a queue its local URL, GetAtt .Arn a local ARN,
 * and so on. Only what a serverless.yml plausibly uses is supported; anything
 * else fails loudly with the stack and the path of the offending value.
 */

export interface StackResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
}

export interface StackScope {
  /** serverless `service:` name. */
  stack: string;
  /** CloudFormation stack name, `<service>-<stage>` unless provider.stackName says otherwise. */
  stackName: string;
  region: string;
  accountId: string;
  resources: Record<string, StackResource>;
  conditions: Record<string, unknown>;
  /** Lambda logical id (`CreatePostLambdaFunction`) -> function name. */
  functionNames: Record<string, string>;
  httpApiId?: string;
  webSocketApiId?: string;
  /** `http://127.0.0.1:<edge port>`, the base of local queue URLs. */
  edgeUrl: string;
}

export class IntrinsicError extends Error {
  constructor(stack: string, path: string, message: string) {
    super(`${stack}: ${path}: ${message}`);
    this.name = 'IntrinsicError';
  }
}

/** Marks `Ref: AWS::NoValue`; removed from the enclosing object or array. */
const NO_VALUE = Symbol('AWS::NoValue');

type Json = unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface Resolver {
  /** Resolves every intrinsic inside value; `path` names the value in error messages. */
  resolve(value: Json, path: string): Json;
  /** The physical name of a resource (table name, queue name, bus name, ...). */
  physicalName(logicalId: string, path: string): string;
  ref(logicalId: string, path: string): string;
  getAtt(logicalId: string, attribute: string, path: string): string;
}

export function queueUrl(edgeUrl: string, accountId: string, name: string): string {
  return `${edgeUrl}/${accountId}/${name}`;
}

export function executeApiUrl(apiId: string, region: string, scheme: 'https' | 'wss'): string {
  return `${scheme}://${apiId}.execute-api.${region}.amazonaws.com`;
}

export function createResolver(scope: StackScope): Resolver {
  const { region, accountId, stack } = scope;
  const names = new Map<string, string>();
  const resolving = new Set<string>();

  const fail = (path: string, message: string): never => {
    throw new IntrinsicError(stack, path, message);
  };

  const resourceOf = (logicalId: string, path: string): StackResource => {
    const resource = scope.resources[logicalId];
    if (!resource) return fail(path, `unknown resource ${logicalId}`);
    return resource;
  };

  const stringProperty = (logicalId: string, property: string, path: string): string | undefined => {
    const raw = resourceOf(logicalId, path).Properties?.[property];
    if (raw === undefined) return undefined;
    const value = resolve(raw, `Resources.${logicalId}.Properties.${property}`);
    if (typeof value !== 'string') return fail(path, `${logicalId}.${property} is not a string`);
    return value;
  };

  // CloudFormation invents `<stack>-<LogicalId>-<random>` when a name is missing;
  // locally we drop the random suffix so names stay stable across restarts.
  const defaultName = (logicalId: string) => `${scope.stackName}-${logicalId}`;

  // serverless adds each function's log group (`<Fn>LogGroup`, /aws/lambda/<name>) to the
  // packaged template, not to the printed one the topology reads: per-function roles name it.
  const functionLogGroup = (logicalId: string): string | undefined => {
    if (!logicalId.endsWith('LogGroup') || scope.resources[logicalId]) return undefined;
    const functionName = scope.functionNames[`${logicalId.slice(0, -'LogGroup'.length)}LambdaFunction`];
    return functionName === undefined ? undefined : `/aws/lambda/${functionName}`;
  };

  const physicalName = (logicalId: string, path: string): string => {
    const known = names.get(logicalId);
    if (known !== undefined) return known;
    const functionName = scope.functionNames[logicalId];
    if (functionName !== undefined) return functionName;
    if (resolving.has(logicalId)) return fail(path, `circular reference through ${logicalId}`);
    resolving.add(logicalId);
    try {
      const resource = resourceOf(logicalId, path);
      let name: string;
      switch (resource.Type) {
        case 'AWS::DynamoDB::Table':
          name = stringProperty(logicalId, 'TableName', path) ?? defaultName(logicalId);
          break;
        case 'AWS::SQS::Queue': {
          const fifo = resolve(resource.Properties?.FifoQueue, `Resources.${logicalId}.Properties.FifoQueue`);
          name =
            stringProperty(logicalId, 'QueueName', path) ??
            `${defaultName(logicalId)}${fifo === true || fifo === 'true' ? '.fifo' : ''}`;
          break;
        }
        case 'AWS::Events::EventBus':
          name = stringProperty(logicalId, 'Name', path) ?? defaultName(logicalId);
          break;
        case 'AWS::Events::Rule':
          name = stringProperty(logicalId, 'Name', path) ?? defaultName(logicalId);
          break;
        case 'AWS::Events::Archive':
          name = stringProperty(logicalId, 'ArchiveName', path) ?? defaultName(logicalId);
          break;
        case 'AWS::SNS::Topic':
          name = stringProperty(logicalId, 'TopicName', path) ?? defaultName(logicalId);
          break;
        case 'AWS::CloudWatch::Alarm':
          name = stringProperty(logicalId, 'AlarmName', path) ?? defaultName(logicalId);
          break;
        case 'AWS::Logs::LogGroup':
          name = stringProperty(logicalId, 'LogGroupName', path) ?? defaultName(logicalId);
          break;
        case 'AWS::IAM::Role':
          name = stringProperty(logicalId, 'RoleName', path) ?? defaultName(logicalId);
          break;
        case 'AWS::IAM::ManagedPolicy':
          name = stringProperty(logicalId, 'ManagedPolicyName', path) ?? defaultName(logicalId);
          break;
        default:
          name = defaultName(logicalId);
      }
      names.set(logicalId, name);
      return name;
    } finally {
      resolving.delete(logicalId);
    }
  };

  const ruleBusName = (logicalId: string, path: string): string => {
    const raw = resourceOf(logicalId, path).Properties?.EventBusName;
    if (raw === undefined) return 'default';
    const value = resolve(raw, `Resources.${logicalId}.Properties.EventBusName`);
    if (typeof value !== 'string') return fail(path, `${logicalId}.EventBusName is not a string`);
    return busNameFromNameOrArn(value);
  };

  const arnOf = (logicalId: string, path: string): string => {
    const logGroup = functionLogGroup(logicalId);
    if (logGroup !== undefined) return `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}:*`;
    if (scope.functionNames[logicalId] !== undefined) {
      return `arn:aws:lambda:${region}:${accountId}:function:${scope.functionNames[logicalId]}`;
    }
    const resource = resourceOf(logicalId, path);
    const name = physicalName(logicalId, path);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${accountId}:${name}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
      case 'AWS::Events::Rule': {
        const bus = ruleBusName(logicalId, path);
        return `arn:aws:events:${region}:${accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
      }
      case 'AWS::Events::Archive':
        return `arn:aws:events:${region}:${accountId}:archive/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${name}`;
      case 'AWS::CloudWatch::Alarm':
        return `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${accountId}:log-group:${name}:*`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${accountId}:role${stringProperty(logicalId, 'Path', path) ?? '/'}${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${accountId}:policy${stringProperty(logicalId, 'Path', path) ?? '/'}${name}`;
      default:
        return fail(path, `Fn::GetAtt ${logicalId}.Arn is not supported for ${resource.Type}`);
    }
  };

  const ref = (logicalId: string, path: string): string => {
    switch (logicalId) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return scope.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${region}:${accountId}:stack/${scope.stackName}/local`;
    }
    if (logicalId === 'HttpApi' && scope.httpApiId) return scope.httpApiId;
    if (logicalId === 'WebsocketsApi' && scope.webSocketApiId) return scope.webSocketApiId;
    if (scope.functionNames[logicalId] !== undefined) return scope.functionNames[logicalId];
    const logGroup = functionLogGroup(logicalId);
    if (logGroup !== undefined) return logGroup;
    const resource = resourceOf(logicalId, path);
    const name = physicalName(logicalId, path);
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return queueUrl(scope.edgeUrl, accountId, name);
      case 'AWS::SNS::Topic':
      case 'AWS::IAM::ManagedPolicy':
        return arnOf(logicalId, path);
      default:
        return name;
    }
  };

  const getAtt = (logicalId: string, attribute: string, path: string): string => {
    if (logicalId === 'HttpApi' && scope.httpApiId && attribute === 'ApiEndpoint') {
      return executeApiUrl(scope.httpApiId, region, 'https');
    }
    if (logicalId === 'WebsocketsApi' && scope.webSocketApiId && attribute === 'ApiEndpoint') {
      return executeApiUrl(scope.webSocketApiId, region, 'wss');
    }
    if (attribute === 'Arn') return arnOf(logicalId, path);
    const type = scope.functionNames[logicalId] !== undefined ? 'function' : resourceOf(logicalId, path).Type;
    const name = type === 'function' ? '' : physicalName(logicalId, path);
    switch (`${type}.${attribute}`) {
      case 'AWS::SQS::Queue.QueueName':
        return name;
      case 'AWS::SQS::Queue.QueueUrl':
        return queueUrl(scope.edgeUrl, accountId, name);
      case 'AWS::DynamoDB::Table.StreamArn':
        return `${arnOf(logicalId, path)}/stream/1970-01-01T00:00:00.000`;
      case 'AWS::Events::EventBus.Name':
      case 'AWS::SNS::Topic.TopicName':
        return name;
      case 'AWS::SNS::Topic.TopicArn':
        return arnOf(logicalId, path);
      default:
        return fail(path, `Fn::GetAtt ${logicalId}.${attribute} is not supported locally (${type})`);
    }
  };

  const asString = (value: Json, path: string, what: string): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return fail(path, `${what} must resolve to a string`);
  };

  const sub = (template: string, variables: Record<string, Json>, path: string): string =>
    template.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (name in variables) return asString(variables[name], path, `Fn::Sub variable ${name}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return getAtt(name.slice(0, dot), name.slice(dot + 1), path);
      return ref(name, path);
    });

  const condition = (name: string, path: string): boolean => {
    const definition = scope.conditions[name];
    if (definition === undefined) return fail(path, `unknown condition ${name}`);
    return evaluate(definition, `Conditions.${name}`);
  };

  const evaluate = (expression: Json, path: string): boolean => {
    if (!isRecord(expression)) return fail(path, 'condition must be an object');
    const [key, args] = Object.entries(expression)[0] ?? [];
    const list = Array.isArray(args) ? args : [];
    switch (key) {
      case 'Fn::Equals':
        return (
          JSON.stringify(resolve(list[0], `${path}.0`)) === JSON.stringify(resolve(list[1], `${path}.1`))
        );
      case 'Fn::Not':
        return !evaluate(list[0], `${path}.0`);
      case 'Fn::And':
        return list.every((item, index) => evaluate(item, `${path}.${index}`));
      case 'Fn::Or':
        return list.some((item, index) => evaluate(item, `${path}.${index}`));
      case 'Condition':
        return condition(String(args), path);
      default:
        return fail(path, `unsupported condition function ${String(key)}`);
    }
  };

  const intrinsic = (key: string, args: Json, path: string): Json => {
    const at = `${path}.${key}`;
    switch (key) {
      case 'Ref': {
        if (args === 'AWS::NoValue') return NO_VALUE;
        return ref(asString(args, at, 'Ref'), at);
      }
      case 'Fn::GetAtt': {
        const parts =
          typeof args === 'string'
            ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)]
            : Array.isArray(args)
              ? args.map((part, index) => asString(resolve(part, `${at}.${index}`), at, 'Fn::GetAtt part'))
              : fail(at, 'Fn::GetAtt needs [logicalId, attribute]');
        const [logicalId, attribute] = parts;
        if (!logicalId || !attribute) return fail(at, 'Fn::GetAtt needs [logicalId, attribute]');
        return getAtt(logicalId, attribute, at);
      }
      case 'Fn::Sub': {
        if (typeof args === 'string') return sub(args, {}, at);
        if (Array.isArray(args) && typeof args[0] === 'string') {
          const variables = resolve(args[1] ?? {}, `${at}.1`);
          if (!isRecord(variables)) return fail(at, 'Fn::Sub variables must be an object');
          return sub(args[0], variables, at);
        }
        return fail(at, 'Fn::Sub needs a string or [string, variables]');
      }
      case 'Fn::Join': {
        if (!Array.isArray(args) || typeof args[0] !== 'string') {
          return fail(at, 'Fn::Join needs [delimiter, list]');
        }
        const list = resolve(args[1], `${at}.1`);
        if (!Array.isArray(list)) return fail(at, 'Fn::Join list must resolve to an array');
        return list.map((item, index) => asString(item, `${at}.1.${index}`, 'Fn::Join item')).join(args[0]);
      }
      case 'Fn::Select': {
        if (!Array.isArray(args)) return fail(at, 'Fn::Select needs [index, list]');
        const index = Number(resolve(args[0], `${at}.0`));
        const list = resolve(args[1], `${at}.1`);
        if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
          return fail(at, 'Fn::Select index out of range');
        }
        return list[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(args) || typeof args[0] !== 'string') {
          return fail(at, 'Fn::Split needs [delimiter, string]');
        }
        return asString(resolve(args[1], `${at}.1`), at, 'Fn::Split source').split(args[0]);
      }
      case 'Fn::If': {
        if (!Array.isArray(args) || typeof args[0] !== 'string') {
          return fail(at, 'Fn::If needs [condition, then, else]');
        }
        return condition(args[0], at) ? resolve(args[1], `${at}.1`) : resolve(args[2], `${at}.2`);
      }
      case 'Fn::Base64':
        return Buffer.from(asString(resolve(args, at), at, 'Fn::Base64 input')).toString('base64');
      default:
        return fail(at, `unsupported intrinsic ${key}`);
    }
  };

  function resolve(value: Json, path: string): Json {
    if (Array.isArray(value)) {
      return value
        .map((item, index) => resolve(item, `${path}.${index}`))
        .filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const only = keys[0];
    if (keys.length === 1 && only && (only === 'Ref' || only.startsWith('Fn::'))) {
      return intrinsic(only, value[only], path);
    }
    const out: Record<string, Json> = {};
    for (const key of keys) {
      const resolved = resolve(value[key], `${path}.${key}`);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  return { resolve, physicalName, ref, getAtt };
}

/** `live-comments-dev` or `arn:aws:events:...:event-bus/live-comments-dev` -> `live-comments-dev`. */
export function busNameFromNameOrArn(value: string): string {
  const marker = ':event-bus/';
  const at = value.indexOf(marker);
  return at >= 0 ? value.slice(at + marker.length) : value;
}
