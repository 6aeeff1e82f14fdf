/**
 * The local cloud on an external edge (LC_EDGE_URL): moto's server started on
 * a free port, the gateways, runtime and triggers of the local cloud in front
 * of it, and the whole comment flow over HTTP and a raw WebSocket. Skipped
 * with a notice where moto_server is not installed (pip install
 * "moto[server]"); CI machines may or may not have it.
 */
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment, Page } from '../../client/src/index';
import {
  hasMotoServer,
  MOTO_MISSING_NOTICE,
  type MotoServer,
  startMotoServer,
} from '../../local-cloud/src/external-edge';
import { type LocalCloud, startLocalCloud } from '../../local-cloud/src/index';
import { LOCAL_ACCOUNT_ID } from '../../local-cloud/src/topology/model';
import { api, eventually } from './support/cloud';
import { type Frame, TestSocket } from './support/ws-client';

const hasMoto = hasMotoServer();
if (!hasMoto) console.warn(`${MOTO_MISSING_NOTICE}: the external-edge suite (moto-edge.test.ts) is skipped`);

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe.skipIf(!hasMoto)('the local cloud on moto as an external edge (LC_EDGE_URL)', () => {
  let moto: MotoServer | undefined;
  let cloud: LocalCloud | undefined;
  const cloudLog: string[] = [];
  const current = () => {
    if (!cloud) throw new Error('the local cloud is not running');
    return cloud;
  };
  const { request, token, createPost } = api(current);

  beforeAll(async () => {
    moto = await startMotoServer({ accountId: LOCAL_ACCOUNT_ID });
    cloud = await startLocalCloud({
      ports: 'free',
      edgeUrl: moto.url,
      logs: 'off',
      log: (message) => cloudLog.push(message),
    });
  });

  afterAll(async () => {
    await cloud?.stop();
    await moto?.stop();
  });

  it('says which edge it uses and provisions the topology there', async () => {
    const { edgeInUse, urls, topology } = current();
    expect(edgeInUse).toMatchObject({ kind: 'external', url: moto?.url, product: 'moto' });
    expect(urls.edge).toBe(moto?.url);
    expect(() => current().edge).toThrow(/external edge/);
    // The functions' queue URLs (the broadcaster's fan-out queue) are moto's.
    const queueUrls = topology.functions.flatMap((fn) =>
      Object.values(fn.environment).filter((value) => value.includes(`/${topology.accountId}/`)),
    );
    expect(queueUrls.length).toBeGreaterThan(0);
    for (const url of queueUrls) expect(url.startsWith(`${moto?.url}/`), url).toBe(true);

    const info = await request<{ edge: unknown; endpoints: { name: string; url: string }[] }>(
      'GET',
      '/_local/info',
    );
    expect(info.body.edge).toMatchObject({ kind: 'external', url: moto?.url, product: 'moto' });
    expect(info.body.endpoints).toContainEqual({
      name: expect.stringContaining('external: moto'),
      url: moto?.url,
    });

    const health = await request<{ status: string; edge: { reachable: boolean; services: unknown } }>(
      'GET',
      '/health',
    );
    expect(health.status).toBe(200);
    expect(health.body.edge).toMatchObject({
      reachable: true,
      services: { dynamodb: 'running', sqs: 'running', events: 'running' },
    });

    // Redrive policies and TTL, as the stacks declare them, on moto's side.
    const config = { endpoint: moto?.url, region: topology.region, credentials };
    const sqs = new SQSClient(config);
    const dynamodb = new DynamoDBClient(config);
    try {
      const redriven = topology.queues.find((queue) => queue.redrive);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: `${moto?.url}/${topology.accountId}/${redriven?.name}`,
          AttributeNames: ['RedrivePolicy'],
        }),
      );
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
        deadLetterTargetArn: redriven?.redrive?.deadLetterTargetArn,
      });
      const expiring = topology.tables.find((table) => table.ttlAttribute);
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: expiring?.name }));
      expect(ttl.TimeToLiveDescription).toMatchObject({
        TimeToLiveStatus: 'ENABLED',
        AttributeName: expiring?.ttlAttribute,
      });
    } finally {
      sqs.destroy();
      dynamodb.destroy();
    }
  });

  it('creates, broadcasts, lists and deletes a comment with emoji and CJK text through moto', async () => {
    const alice = await token('alice');
    const bob = await token('bob');
    const post = await createPost(alice, 'On moto 🎉', 'An external edge');
    const watcher = await TestSocket.open(current().urls.websocket);
    try {
      expect(await watcher.request({ action: 'subscribe', topic: `post:${post.id}` })).toMatchObject({
        type: 'subscribed',
      });
      // Also text that moto's input template could mangle: quotes, backslashes, a placeholder of it.
      const body = 'Party 🎉 漢字 かな 한국어 👩‍👩‍👧‍👦 "quoted" \\back\\slash <lcId> <lcAccount>';
      // PostCreated crosses moto's bus and a queue before the comments service accepts comments.
      const created = await eventually(async () => {
        const response = await request<Comment>('POST', `/api/v1/posts/${post.id}/comments`, {
          token: bob,
          body: { body },
        });
        return response.status === 201 ? response.body : undefined;
      }, 30_000);
      expect(created).toMatchObject({ postId: post.id, body });

      const frame = await watcher.next(
        (f: Frame) => f.type === 'comment.created' && (f.data as Comment).id === created.id,
        30_000,
      );
      expect(frame).toMatchObject({ topic: `post:${post.id}`, data: { body, authorId: 'bob' } });

      const listed = await request<Page<Comment>>('GET', `/api/v1/posts/${post.id}/comments`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toContainEqual(expect.objectContaining({ id: created.id, body }));

      const deleted = await request('DELETE', `/api/v1/posts/${post.id}/comments/${created.id}`, {
        token: bob,
      });
      expect(deleted.status).toBe(204);
      const gone = await watcher.next(
        (f: Frame) => f.type === 'comment.deleted' && (f.data as { id: string }).id === created.id,
        30_000,
      );
      expect(gone).toMatchObject({ topic: `post:${post.id}`, data: { id: created.id, postId: post.id } });
      const after = await request<Page<Comment>>('GET', `/api/v1/posts/${post.id}/comments`);
      expect(after.body.items.map((item) => item.id)).not.toContain(created.id);
    } finally {
      watcher.close();
    }
    expect(cloudLog.filter((line) => /error|failed/i.test(line))).toEqual([]);
  }, 120_000);
});
