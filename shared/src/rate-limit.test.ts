import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpHandler, json } from './http';
import {
  buildDynamoRateLimiter,
  conforms,
  gcraOf,
  nextTat,
  type RateLimit,
  RateLimitedError,
  rateLimitSchema,
  retryAfterSeconds,
} from './rate-limit';
import { httpEvent, lambdaContext, memoryRateLimiter } from './testing';

/** 10 a minute, 5 at once: one write every 6 s, tat may run 24 s ahead. */
const LIMIT: RateLimit = { perMinute: 10, burst: 5 };

describe('GCRA arithmetic', () => {
  const gcra = gcraOf(LIMIT);

  it('turns a rate and a burst into an interval and a tolerance in whole milliseconds', () => {
    expect(gcra).toEqual({ intervalMs: 6000, toleranceMs: 24_000 });
    expect(gcraOf({ perMinute: 7, burst: 1 })).toEqual({ intervalMs: 8571, toleranceMs: 0 });
    expect(gcraOf({ perMinute: 1_000_000, burst: 3 })).toEqual({ intervalMs: 1, toleranceMs: 2 });
  });

  it('lets exactly the burst through at once from an idle key, then one per interval', () => {
    let tat: number | undefined;
    const at = 1_000_000;
    const passed = Array.from({ length: 8 }, () => {
      if (!conforms(gcra, tat, at)) return false;
      tat = nextTat(gcra, tat, at);
      return true;
    }).filter(Boolean).length;
    expect(passed).toBe(5);
    expect(tat).toBe(at + 30_000);
    expect(conforms(gcra, tat, at + 5999)).toBe(false);
    expect(conforms(gcra, tat, at + 6000)).toBe(true);
  });

  it('forgets an idle past: a tat behind the clock counts from now', () => {
    expect(nextTat(gcra, 500, 10_000)).toBe(16_000);
    expect(nextTat(gcra, undefined, 10_000)).toBe(16_000);
    expect(nextTat(gcra, 12_000, 10_000)).toBe(18_000);
  });

  it('says honestly how long until one more write conforms, in whole seconds, at least 1', () => {
    // tat 30 s ahead, tolerance 24 s: the next write conforms 6 s from now.
    expect(retryAfterSeconds(gcra, 30_000, 0)).toBe(6);
    expect(retryAfterSeconds(gcra, 30_000, 100)).toBe(6); // 5.9 s, rounded up
    expect(retryAfterSeconds(gcra, 24_001, 0)).toBe(1); // 1 ms away
    const waited = 30_000 - 24_000;
    expect(conforms(gcra, 30_000, waited - 1)).toBe(false);
    expect(conforms(gcra, 30_000, waited)).toBe(true);
  });
});

describe('rateLimitSchema', () => {
  it('reads the environment strings and refuses unusable limits', () => {
    expect(rateLimitSchema.parse({ perMinute: '10', burst: '5' })).toEqual({ perMinute: 10, burst: 5 });
    expect(rateLimitSchema.parse({ perMinute: '0.5', burst: '1' })).toEqual({ perMinute: 0.5, burst: 1 });
    expect(rateLimitSchema.safeParse({ perMinute: '0', burst: '5' }).success).toBe(false);
    expect(rateLimitSchema.safeParse({ perMinute: '10', burst: '0' }).success).toBe(false);
    expect(rateLimitSchema.safeParse({ perMinute: '10', burst: '2.5' }).success).toBe(false);
    expect(rateLimitSchema.safeParse({ perMinute: 'fast', burst: '5' }).success).toBe(false);
  });
});

/**
 * The write-limits table in memory behind the mocked document client, with
 * DynamoDB's semantics for the two updates the limiter sends: the condition
 * is evaluated on the current item, a refused one throws
 * ConditionalCheckFailedException carrying the item (ALL_OLD, wire format).
 */
const memoryTable = (dynamo: ReturnType<typeof mockClient>) => {
  const items = new Map<string, { tat: number; expiresAt: number }>();
  const inputs: UpdateCommandInput[] = [];
  dynamo.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    inputs.push(input);
    const id = String(input.Key?.id);
    const values = input.ExpressionAttributeValues ?? {};
    const item = items.get(id);
    const idle = ':next' in values;
    const passes = idle
      ? item === undefined || item.tat <= values[':now']
      : item !== undefined && item.tat > values[':now'] && item.tat <= values[':latest'];
    if (!passes) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        ...(item
          ? {
              Item: { id: { S: id }, tat: { N: String(item.tat) }, expiresAt: { N: String(item.expiresAt) } },
            }
          : {}),
      });
    }
    items.set(id, {
      tat: idle ? values[':next'] : (item?.tat ?? 0) + values[':interval'],
      expiresAt: values[':expiresAt'],
    });
    return {};
  });
  return { items, inputs };
};

describe('buildDynamoRateLimiter', () => {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const dynamo = mockClient(client);
  let clock = 1_700_000_000_000;
  let table: ReturnType<typeof memoryTable>;
  const limiter = (limit = LIMIT) =>
    buildDynamoRateLimiter({
      client,
      tableName: 'test-write-limits',
      limit,
      scope: 'comments',
      now: () => clock,
    });

  beforeEach(() => {
    dynamo.reset();
    clock = 1_700_000_000_000;
    table = memoryTable(dynamo);
  });

  it("counts an idle user's write in one conditional update, with a TTL no earlier than its tat", async () => {
    expect(await limiter().take('alice')).toEqual({ allowed: true });
    expect(table.inputs).toEqual([
      {
        TableName: 'test-write-limits',
        Key: { id: 'comments#alice' },
        UpdateExpression: 'SET tat = :next, expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now',
        ExpressionAttributeValues: {
          ':next': clock + 6000,
          ':now': clock,
          // now + tolerance + interval, in seconds, rounded up
          ':expiresAt': Math.ceil((clock + 30_000) / 1000),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    ]);
    expect(table.items.get('comments#alice')?.tat).toBe(clock + 6000);
  });

  it('lets exactly the burst through, then refuses with the time until the next write conforms', async () => {
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await limiter().take('alice'));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.slice(5)).toEqual([
      { allowed: false, retryAfterSeconds: 6 },
      { allowed: false, retryAfterSeconds: 6 },
      { allowed: false, retryAfterSeconds: 6 },
    ]);
    // A refusal costs one round trip: the refused condition brought the item back.
    const before = table.inputs.length;
    await limiter().take('alice');
    expect(table.inputs.length - before).toBe(1);
    // Retry-After is honest: at 5.9 s still refused, at 6 s one more passes, and only one.
    clock += 5900;
    expect(await limiter().take('alice')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock += 100;
    expect(await limiter().take('alice')).toEqual({ allowed: true });
    expect(await limiter().take('alice')).toMatchObject({ allowed: false });
  });

  it('is exact under concurrent requests: of 20 at once, exactly the burst pass', async () => {
    const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter().take('alice')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(table.items.get('comments#alice')?.tat).toBe(clock + 30_000);
  });

  it('keeps users apart: a flood from one slows nobody else', async () => {
    await Promise.all(Array.from({ length: 20 }, () => limiter().take('mallory')));
    const bob = await Promise.all(Array.from({ length: 5 }, () => limiter().take('bob')));
    expect(bob.every((d) => d.allowed)).toBe(true);
    expect([...table.items.keys()].sort()).toEqual(['comments#bob', 'comments#mallory']);
  });

  it('refills at the rate: a user who waited long enough has the whole burst again, never more', async () => {
    for (let i = 0; i < 5; i++) await limiter().take('alice');
    clock += 60 * 60_000;
    const decisions = [];
    for (let i = 0; i < 7; i++) decisions.push(await limiter().take('alice'));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('treats an item the TTL removed as idle', async () => {
    for (let i = 0; i < 5; i++) await limiter().take('alice');
    table.items.delete('comments#alice');
    expect(await limiter().take('alice')).toEqual({ allowed: true });
  });

  it('fails when DynamoDB does (the kit turns it into a 503)', async () => {
    dynamo.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(limiter().take('alice')).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});

describe('httpHandler with a rateLimit', () => {
  const context = lambdaContext('test', 1000);
  const build = (limiter: ReturnType<typeof memoryRateLimiter>, writes: string[]) =>
    httpHandler(
      { auth: true, body: z.object({ title: z.string().min(1) }), rateLimit: limiter },
      async ({ body, userId }) => {
        writes.push(`${userId}:${body.title}`);
        return json(201, { ok: true });
      },
    );
  const post = (body: unknown, userId = 'alice') => httpEvent({ routeKey: 'POST /things', body, userId });

  it("answers 429 rate_limited with Retry-After once the user's burst is used, and writes nothing", async () => {
    const clock = 0;
    const limiter = memoryRateLimiter({ perMinute: 10, burst: 2 }, () => clock);
    const writes: string[] = [];
    const handler = build(limiter, writes);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await handler(post({ title: `t${i}` }), context));
    expect(results.map((r) => (r as { statusCode: number }).statusCode)).toEqual([201, 201, 429]);
    const refused = results[2] as { headers: Record<string, string>; body: string };
    expect(refused.headers['retry-after']).toBe('6');
    expect(JSON.parse(refused.body)).toEqual({
      error: { code: 'rate_limited', message: expect.any(String) },
    });
    expect(writes).toEqual(['alice:t0', 'alice:t1']);
    // Another user is not slowed.
    expect(((await handler(post({ title: 'b' }, 'bob'), context)) as { statusCode: number }).statusCode).toBe(
      201,
    );
  });

  it('counts every authenticated attempt, an invalid one too, before reading the body', async () => {
    const limiter = memoryRateLimiter({ perMinute: 10, burst: 1 }, () => 0);
    const handler = build(limiter, []);
    expect(((await handler(post({ title: '' }), context)) as { statusCode: number }).statusCode).toBe(400);
    expect(((await handler(post({ title: 'ok' }), context)) as { statusCode: number }).statusCode).toBe(429);
    expect(limiter.taken).toEqual(['alice', 'alice']);
  });

  it('answers 503 unavailable with Retry-After 1 when the limit cannot be checked', async () => {
    const writes: string[] = [];
    const handler = httpHandler(
      {
        auth: true,
        rateLimit: {
          take: async () => {
            throw new Error('table unreachable');
          },
        },
      },
      async () => {
        writes.push('written');
        return json(201, {});
      },
    );
    const result = (await handler(post({ title: 'x' }), context)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('1');
    expect(JSON.parse(result.body).error.code).toBe('unavailable');
    expect(writes).toEqual([]);
  });

  it('RateLimitedError carries its Retry-After', () => {
    const error = new RateLimitedError(7);
    expect(error).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      retryAfterSeconds: 7,
      message: 'Too many writes; try again in 7 seconds.',
    });
    expect(new RateLimitedError(1).message).toBe('Too many writes; try again in 1 second.');
    expect(error.headers).toEqual({ 'retry-after': '7' });
  });
});
