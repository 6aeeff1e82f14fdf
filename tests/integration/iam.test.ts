// Least privilege as AWS enforces it: every call to the edge and to @connections is signed
// with the calling function's own credentials and allowed only by its role (and the bus
// policy). First the real stacks' roles, then a fixture stack whose functions make the
// forbidden calls themselves, from inside the Lambda runtime.
import { join } from 'node:path';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { rawCall } from '../../local-cloud/src/iam/testing';
import { useLocalCloud } from './support/cloud';

const ACCOUNT = '000000000000';
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ ok: true }),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      ok: false,
      name: error.name,
      message: error.message,
      status: error.$metadata?.httpStatusCode,
    }),
  );

describe('the real stacks’ roles', () => {
  const cloud = useLocalCloud();
  /** An SDK client signing as the function does (its credentials are the ones in its environment). */
  const as = (functionKey: string) => ({
    endpoint: cloud().urls.edge,
    region: 'us-east-1',
    credentials: cloud().edge.iam.credentialsOf(functionKey),
    maxAttempts: 1,
  });
  const sessionOf = (functionKey: string) => {
    const fn = cloud().topology.functions.find((candidate) => candidate.key === functionKey);
    const role = fn?.roleArn?.split('/').at(-1);
    return `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${fn?.functionName}`;
  };

  it('lets the public comment list read its table, and nothing else', async () => {
    const dynamodb = new DynamoDBClient(as('comments.listComments'));
    await expect(
      dynamodb.send(
        new QueryCommand({
          TableName: 'local-comments',
          KeyConditionExpression: 'postId = :p',
          ExpressionAttributeValues: { ':p': { S: 'nope' } },
        }),
      ),
    ).resolves.toMatchObject({ Count: 0 });
    // It holds no PutItem on the posts table (another service's): refused exactly as AWS refuses it.
    const tableArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/local-posts`;
    expect(
      await failure(
        dynamodb.send(new PutItemCommand({ TableName: 'local-posts', Item: { id: { S: 'x' } } })),
      ),
    ).toEqual({
      ok: false,
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${sessionOf('comments.listComments')} is not authorized to perform: dynamodb:PutItem on resource: ${tableArn} because no identity-based policy allows the dynamodb:PutItem action`,
    });
    dynamodb.destroy();
  });

  it('refuses PutEvents to a function whose role does not hold it', async () => {
    const events = new EventBridgeClient(as('connections.message'));
    expect(
      await failure(
        events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: 'live-comments-local',
                // A source the bus policy says nothing of: the refusal is the role's alone (a
                // source it keeps to another service fails the entry instead, see the fixture's test).
                Source: 'live-comments.connections',
                DetailType: 'ConnectionOpened',
                Detail: '{}',
              },
            ],
          }),
        ),
      ),
    ).toEqual({
      ok: false,
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${sessionOf('connections.message')} is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:${ACCOUNT}:event-bus/live-comments-local because no identity-based policy allows the events:PutEvents action`,
    });
    events.destroy();
  });

  it("lets a publisher put its own service's events and fails the entries of another's (role condition and bus policy)", async () => {
    const events = new EventBridgeClient(as('comments.createComment'));
    const entry = (source: string) => ({
      EventBusName: 'live-comments-local',
      Source: source,
      DetailType: 'Probe',
      Detail: '{}',
    });
    const answer = await events.send(
      new PutEventsCommand({ Entries: [entry('live-comments.comments'), entry('live-comments.posts')] }),
    );
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(answer.Entries?.[1]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
    events.destroy();
  });

  it('answers 403 to an unsigned @connections call and to a function without ManageConnections', async () => {
    const url = `${cloud().urls.connections}/@connections/${encodeURIComponent('c2FtcGxl=')}`;
    const unsigned = await rawCall({ method: 'POST', url, body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers['x-amzn-errortype']).toBe('ForbiddenException');
    expect(JSON.parse(unsigned.body)).toEqual({ message: 'Missing Authentication Token' });

    const management = (functionKey: string) =>
      new ApiGatewayManagementApiClient({ ...as(functionKey), endpoint: cloud().urls.connections });
    const post = new PostToConnectionCommand({ ConnectionId: 'c2FtcGxl=', Data: '{}' });
    expect(await failure(management('comments.listComments').send(post))).toEqual({
      ok: false,
      name: 'ForbiddenException',
      status: 403,
      message: `User: ${sessionOf('comments.listComments')} is not authorized to perform: execute-api:ManageConnections on resource: arn:aws:execute-api:us-east-1:${ACCOUNT}:local-connections-ws/local/POST/@connections/c2FtcGxl=`,
    });
    // The broadcaster may: the call gets as far as the connection, which is gone.
    expect(await failure(management('connections.broadcast').send(post))).toMatchObject({
      ok: false,
      name: 'GoneException',
      status: 410,
    });
  });
});

describe('a fixture stack’s functions calling what their roles refuse', () => {
  const cloud = useLocalCloud({ root: join(import.meta.dirname, 'fixtures', 'iam') });
  const probe = async (functionKey: string, event: Record<string, string>) => {
    const outcome = await cloud().invoke(functionKey, event);
    if (!outcome.ok) throw new Error(`${functionKey} failed: ${JSON.stringify(outcome.error)}`);
    return outcome.result as {
      ok: boolean;
      name?: string;
      message?: string;
      status?: number;
      accessKeyId?: string;
    };
  };
  const session = (role: string, fn: string) =>
    `arn:aws:sts::${ACCOUNT}:assumed-role/iam-fixture-${role}-local/iam-fixture-probe-local-${fn}`;

  it('runs each function with credentials of its own', async () => {
    const reader = await probe('probe.reader', { call: 'GetItem' });
    const trusted = await probe('probe.trusted', { call: 'GetItem' });
    expect(reader).toMatchObject({ ok: true, accessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/) });
    expect(trusted.ok).toBe(true);
    expect(trusted.accessKeyId).not.toBe(reader.accessKeyId);
  });

  it('refuses the reader’s PutItem with AWS’s AccessDeniedException, and allows the trusted role’s', async () => {
    expect(await probe('probe.reader', { call: 'PutItem' })).toEqual({
      ok: false,
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${session('reader', 'reader')} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/local-iam-notes because no identity-based policy allows the dynamodb:PutItem action`,
    });
    expect(await probe('probe.trusted', { call: 'PutItem' })).toMatchObject({ ok: true });
  });

  it('refuses a source the bus policy keeps to another role (the entry fails), and lets that role publish it', async () => {
    expect(await probe('probe.reader', { call: 'PutEvents', source: 'iam.other' })).toMatchObject({
      ok: true,
      failed: 0,
    });
    expect(await probe('probe.reader', { call: 'PutEvents', source: 'iam.trusted' })).toMatchObject({
      ok: true,
      failed: 1,
      entries: [
        {
          ErrorCode: 'NotAuthorizedForSourceException',
          ErrorMessage: `User: ${session('reader', 'reader')} is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:${ACCOUNT}:event-bus/iam-fixture-local with an explicit deny in a resource-based policy`,
        },
      ],
    });
    expect(await probe('probe.trusted', { call: 'PutEvents', source: 'iam.trusted' })).toMatchObject({
      ok: true,
      failed: 0,
    });
  });

  it('refuses @connections to a role without ManageConnections and serves the one with it', async () => {
    const reader = await probe('probe.reader', { call: 'PostToConnection', connectionId: 'Z29uZQ=' });
    expect(reader).toMatchObject({ ok: false, name: 'ForbiddenException', status: 403 });
    expect(reader.message).toMatch(
      /is not authorized to perform: execute-api:ManageConnections on resource: /,
    );
    // Allowed: the call reaches the connection, which does not exist.
    expect(await probe('probe.manager', { call: 'PostToConnection', connectionId: 'Z29uZQ=' })).toMatchObject(
      {
        ok: false,
        name: 'GoneException',
        status: 410,
      },
    );
  });
});
