/**
 * The topology of the system as the local cloud stands it up: derived from the
 * stacks' serverless.yml (through osls) with CloudFormation intrinsics resolved
 * to local names, ARNs and URLs. Every part of the local cloud works from this.
 */

export interface FunctionDef {
  /** `<service>.<function>`, e.g. `posts.createPost` (service = the folder under services/). */
  key: string;
  service: string;
  /** The serverless `service:` name, e.g. `live-comments-posts`. */
  stack: string;
  /** The function's name in serverless.yml, e.g. `createPost`. */
  name: string;
  /** As AWS names it: `<stack>-<stage>-<name>`. */
  functionName: string;
  /** `src/handlers/create-post.handler`: module path (relative to serviceDir, no extension) and export. */
  handler: string;
  /** Absolute path of the service folder (where serverless.yml is). */
  serviceDir: string;
  /** Resolved environment from serverless.yml (provider + function level), before the local cloud adds its own. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
  /** `reservedConcurrency`: at most this many concurrent executions, beyond it throttled (0 stops the function). */
  reservedConcurrency?: number;
  /** The execution role's ARN (one of `Topology.roles`, or a role outside the stacks, which grants nothing). */
  roleArn?: string;
}

/**
 * An execution role as the packaged template declares it: its inline policies'
 * statements (intrinsics resolved), plus those of the `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` resources of the stack that name it.
 */
export interface RoleDef {
  stack: string;
  /** `IamRoleLambdaExecution` for serverless' default role. */
  logicalId: string;
  /** RoleName (as in the assumed-role ARN `arn:aws:sts::<account>:assumed-role/<name>/<function>`). */
  name: string;
  arn: string;
  /** Every statement of its policies, resolved. */
  statements: unknown[];
  /** ManagedPolicyArns of policies outside the stacks (AWS managed): not evaluated locally. */
  managedPolicyArns: string[];
}

export interface CorsDef {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  exposedResponseHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface JwtAuthorizerDef {
  name: string;
  issuerUrl: string;
  audience: string[];
  /** e.g. `$request.header.Authorization` */
  identitySource: string;
}

/**
 * A stage's default route throttling, as `resources.extensions` sets it on
 * the framework's stage (`DefaultRouteSettings.ThrottlingRateLimit` and
 * `ThrottlingBurstLimit`). Either may be Infinity: not limited at the stage.
 */
export interface StageThrottleDef {
  /** Requests (WebSocket: messages) per second, steady. */
  rateLimit: number;
  /** The bucket's size: how many at once. */
  burstLimit: number;
}

export interface HttpApiDef {
  apiId: string;
  stack: string;
  cors?: CorsDef;
  /** The `$default` stage's throttling (`HttpApiStage`), when the stack sets it. */
  throttle?: StageThrottleDef;
}

export interface HttpRouteDef {
  apiId: string;
  /** `GET`, `POST`, ... or `ANY`. */
  method: string;
  /** `/api/v1/posts/{postId}`, `{proxy+}` allowed as last segment; `*` for the catch-all route. */
  path: string;
  /** `GET /api/v1/posts/{postId}` */
  routeKey: string;
  functionKey: string;
  authorizer?: JwtAuthorizerDef;
}

export interface WebSocketApiDef {
  apiId: string;
  stack: string;
  stage: string;
  /** e.g. `$request.body.action` */
  routeSelectionExpression: string;
  routes: { route: string; functionKey: string }[];
  /** The stage's throttling (`WebsocketsDeploymentStage`), when the stack sets it: messages and handshakes. */
  throttle?: StageThrottleDef;
}

export interface TableDef {
  stack: string;
  logicalId: string;
  name: string;
  arn: string;
  /** The resolved `AWS::DynamoDB::Table` Properties (KeySchema, AttributeDefinitions, indexes, TTL, ...). */
  properties: Record<string, unknown>;
  /** TTL attribute when TimeToLiveSpecification is enabled. */
  ttlAttribute?: string;
}

export interface QueueDef {
  stack: string;
  logicalId: string;
  name: string;
  arn: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  delaySeconds: number;
  receiveWaitTimeSeconds: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  /** Resolved `AWS::SQS::QueuePolicy` documents that apply to this queue, if any. */
  policies: unknown[];
}

export interface EventBusDef {
  name: string;
  arn: string;
  stack: string;
  /** The statements of the `AWS::Events::EventBusPolicy` resources on this bus (its resource policy). */
  policy?: unknown[];
}

export interface RuleTargetDef {
  id: string;
  arn: string;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
  deadLetterArn?: string;
  inputPath?: string;
  input?: string;
}

export interface RuleDef {
  stack: string;
  logicalId: string;
  name: string;
  arn: string;
  busName: string;
  eventPattern: unknown;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: RuleTargetDef[];
}

export interface SqsEventSourceDef {
  functionKey: string;
  queueArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
  /** `maximumConcurrency` (ScalingConfig.MaximumConcurrency): concurrent invocations of this mapping at most. */
  maximumConcurrency?: number;
}

export interface ScheduleDef {
  functionKey: string;
  /** `rate(1 minute)` or `cron(0/5 * * * ? *)` */
  expression: string;
  enabled: boolean;
  input?: unknown;
}

export interface Topology {
  region: string;
  accountId: string;
  stage: string;
  functions: FunctionDef[];
  httpApis: HttpApiDef[];
  httpRoutes: HttpRouteDef[];
  webSocketApis: WebSocketApiDef[];
  tables: TableDef[];
  queues: QueueDef[];
  buses: EventBusDef[];
  rules: RuleDef[];
  sqsEventSources: SqsEventSourceDef[];
  schedules: ScheduleDef[];
  /** The functions' execution roles. */
  roles?: RoleDef[];
  /** What the local cloud saw in the stacks but does not emulate (e.g. unsupported event types). */
  warnings?: string[];
}

/** The account, region and stage the local cloud stands the stacks up in. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_STAGE = 'local';
