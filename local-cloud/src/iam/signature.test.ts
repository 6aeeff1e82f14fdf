import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Edge, startEdge } from '../edge';
import { startWebSocketGateway, type WebSocketGateway } from '../gateways';
import { fakeInvoker, queueDef, topologyWith } from '../testing';
import type { FunctionDef, Topology } from '../topology/model';
import { ADMIN_CREDENTIALS, createIamRegistry, type IamRegistry } from '.';
import { rawCall } from './testing';

const ACCOUNT = '000000000000';
const tableArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/local-notes`;
const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/local-bus`;

const fn = (name: string, role: string): FunctionDef => ({
  key: `notes.${name}`,
  service: 'notes',
  stack: 'notes',
  name,
  functionName: `notes-local-${name}`,
  handler: 'src/h.handler',
  serviceDir: '/tmp',
  environment: {},
  timeoutSeconds: 6,
  memorySize: 128,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
});

/** A reader that may only GetItem, and a writer that may PutItem, send, publish and post to connections. */
const topology: Topology = topologyWith({
  functions: [fn('read', 'notes-reader'), fn('write', 'notes-writer')],
  roles: [
    {
      stack: 'notes',
      logicalId: 'ReaderRole',
      name: 'notes-reader',
      arn: `arn:aws:iam::${ACCOUNT}:role/notes-reader`,
      statements: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn }],
      managedPolicyArns: [],
    },
    {
      stack: 'notes',
      logicalId: 'WriterRole',
      name: 'notes-writer',
      arn: `arn:aws:iam::${ACCOUNT}:role/notes-writer`,
      statements: [
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: tableArn },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:notes` },
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn },
        {
          Effect: 'Allow',
          Action: 'execute-api:ManageConnections',
          Resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:local-notes-ws/local/POST/@connections/*`,
        },
      ],
      managedPolicyArns: [],
    },
  ],
  tables: [
    {
      stack: 'notes',
      logicalId: 'NotesTable',
      name: 'local-notes',
      arn: tableArn,
      properties: {
        TableName: 'local-notes',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      },
    },
  ],
  queues: [queueDef('notes')],
  buses: [
    {
      stack: 'notes',
      name: 'local-bus',
      arn: busArn,
      policy: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: busArn,
          Condition: { StringEquals: { 'events:source': 'notes.admin' } },
        },
      ],
    },
  ],
  webSocketApis: [
    {
      apiId: 'local-notes-ws',
      stack: 'notes',
      stage: 'local',
      routeSelectionExpression: '$request.body.action',
      routes: [],
    },
  ],
});

let iam: IamRegistry;
let edge: Edge;
let gateway: WebSocketGateway;

beforeAll(async () => {
  iam = createIamRegistry({ region: 'us-east-1', accountId: ACCOUNT });
  iam.register(topology);
  edge = await startEdge({ port: 0, iam, log: () => {} });
  await edge.provision(topology);
  gateway = await startWebSocketGateway({ port: 0, topology, invoker: fakeInvoker(), iam });
});

afterAll(async () => {
  await Promise.all([edge?.stop(), gateway?.stop()]);
});

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const asFunction = (name: string): Credentials => iam.credentialsOf(`notes.${name}`);
const config = (credentials: Credentials) => ({
  endpoint: edge.url,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
});
const dynamo = (credentials: Credentials) => new DynamoDBClient(config(credentials));
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      name: error.name,
      message: error.message,
      status: error.$metadata?.httpStatusCode,
    }),
  );
const getNote = new GetItemCommand({ TableName: 'local-notes', Key: { id: { S: 'n1' } } });

describe('SigV4 at the edge (the unmodified SDK clients)', () => {
  it('serves the admin and a function signing with their own secrets', async () => {
    await expect(dynamo(ADMIN_CREDENTIALS).send(getNote)).resolves.toBeDefined();
    await expect(dynamo(asFunction('read')).send(getNote)).resolves.toBeDefined();
  });

  it('refuses a wrong secret (InvalidSignatureException; SQS: SignatureDoesNotMatch)', async () => {
    const wrong = { ...asFunction('write'), secretAccessKey: 'not-the-secret' };
    expect(await errorOf(dynamo(wrong).send(getNote))).toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringMatching(/^The request signature we calculated does not match/),
    });
    const sqs = new SQSClient(config(wrong));
    expect(
      await errorOf(
        sqs.send(new SendMessageCommand({ QueueUrl: `${edge.url}/${ACCOUNT}/notes`, MessageBody: 'x' })),
      ),
    ).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    const events = new EventBridgeClient(config(wrong));
    expect(
      await errorOf(
        events.send(
          new PutEventsCommand({
            Entries: [{ EventBusName: 'local-bus', Source: 's', DetailType: 'd', Detail: '{}' }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('refuses an unknown key id (UnrecognizedClientException; SQS: InvalidClientTokenId) and a wrong session token', async () => {
    expect(
      await errorOf(dynamo({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }).send(getNote)),
    ).toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const sqs = new SQSClient(config({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }));
    expect(
      await errorOf(
        sqs.send(new SendMessageCommand({ QueueUrl: `${edge.url}/${ACCOUNT}/notes`, MessageBody: 'x' })),
      ),
    ).toMatchObject({ name: 'InvalidClientTokenId' });
    expect(
      await errorOf(dynamo({ ...asFunction('read'), sessionToken: 'stolen' }).send(getNote)),
    ).toMatchObject({
      name: 'UnrecognizedClientException',
    });
  });

  it('refuses an unsigned call and one signed more than 15 minutes ago', async () => {
    const unsigned = await rawCall({
      method: 'POST',
      url: edge.url,
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(JSON.parse(unsigned.body)).toEqual({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    const stale = await rawCall({
      method: 'POST',
      url: edge.url,
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
      sign: { ...ADMIN_CREDENTIALS, service: 'dynamodb', signingDate: new Date(Date.now() - 16 * 60_000) },
    });
    expect(JSON.parse(stale.body)).toMatchObject({
      __type: 'com.amazon.coral.service#InvalidSignatureException',
      message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/),
    });
  });
});

describe('the role of the calling function at the edge', () => {
  it('refuses DynamoDB calls the role does not allow, word for word as AWS', async () => {
    const put = new PutItemCommand({ TableName: 'local-notes', Item: { id: { S: 'n1' } } });
    expect(await errorOf(dynamo(asFunction('read')).send(put))).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/notes-reader/notes-local-read is not authorized to perform: dynamodb:PutItem on resource: ${tableArn} because no identity-based policy allows the dynamodb:PutItem action`,
    });
    await expect(dynamo(asFunction('write')).send(put)).resolves.toBeDefined();
  });

  it('refuses SQS calls with AccessDenied', async () => {
    const send = new SendMessageCommand({ QueueUrl: `${edge.url}/${ACCOUNT}/notes`, MessageBody: 'x' });
    expect(await errorOf(new SQSClient(config(asFunction('read'))).send(send))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: expect.stringContaining(
        'is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:000000000000:notes',
      ),
    });
    await expect(new SQSClient(config(asFunction('write'))).send(send)).resolves.toBeDefined();
  });

  it('refuses PutEvents without the permission on the bus (the whole call), and an entry the bus policy denies (that entry)', async () => {
    const entry = {
      EventBusName: 'local-bus',
      Source: 'notes.write',
      DetailType: 'NoteWritten',
      Detail: '{}',
    };
    expect(
      await errorOf(
        new EventBridgeClient(config(asFunction('read'))).send(new PutEventsCommand({ Entries: [entry] })),
      ),
    ).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /perform: events:PutEvents on resource: .*event-bus\/local-bus because no identity-based policy/,
      ),
    });
    const writer = new EventBridgeClient(config(asFunction('write')));
    await expect(writer.send(new PutEventsCommand({ Entries: [entry] }))).resolves.toMatchObject({
      FailedEntryCount: 0,
    });
    // As PutEventsResultEntry documents: the entry fails with NotAuthorizedForSourceException, the others are put.
    const mixed = await writer.send(
      new PutEventsCommand({ Entries: [entry, { ...entry, Source: 'notes.admin' }] }),
    );
    expect(mixed).toMatchObject({
      FailedEntryCount: 1,
      Entries: [
        { EventId: expect.any(String) },
        {
          ErrorCode: 'NotAuthorizedForSourceException',
          ErrorMessage: expect.stringMatching(/with an explicit deny in a resource-based policy$/),
        },
      ],
    });
    expect(mixed.Entries?.[1]?.EventId).toBeUndefined();
  });
});

describe('SigV4 and ManageConnections at @connections', () => {
  const open = async () => {
    const socket = new WebSocket(gateway.url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const id = [...gateway.connections.keys()].at(-1) ?? '';
    return { socket, id };
  };
  const management = (credentials: Credentials) =>
    new ApiGatewayManagementApiClient({
      endpoint: gateway.managementEndpoint,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });

  it('answers 403 ForbiddenException to an unsigned call, a wrong secret and a role without the permission', async () => {
    const { socket, id } = await open();
    const url = `${gateway.managementEndpoint}/@connections/${encodeURIComponent(id)}`;
    const unsigned = await rawCall({ method: 'POST', url, body: 'x' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers['x-amzn-errortype']).toBe('ForbiddenException');
    expect(JSON.parse(unsigned.body)).toEqual({ message: 'Missing Authentication Token' });

    const post = new PostToConnectionCommand({ ConnectionId: id, Data: 'x' });
    expect(
      await errorOf(management({ ...asFunction('write'), secretAccessKey: 'wrong' }).send(post)),
    ).toMatchObject({
      name: 'ForbiddenException',
      status: 403,
      message: expect.stringMatching(/^The request signature we calculated does not match/),
    });
    expect(await errorOf(management(asFunction('read')).send(post))).toEqual({
      name: 'ForbiddenException',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/notes-reader/notes-local-read is not authorized to perform: execute-api:ManageConnections on resource: arn:aws:execute-api:us-east-1:${ACCOUNT}:local-notes-ws/local/POST/@connections/${id}`,
    });
    await expect(management(asFunction('write')).send(post)).resolves.toBeDefined();
    await expect(management(ADMIN_CREDENTIALS).send(post)).resolves.toBeDefined();
    socket.close();
  });
});
