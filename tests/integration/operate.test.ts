/**
 * The operating commands against a real local cloud: the seed's probes
 * (`/health` on the HTTP and WebSocket ports), `npm run info` and
 * `npm run logs` (by function, by correlation id, followed), and every
 * command of README's Troubleshooting section, run as a reader would run it
 * (ports moved to this cloud's).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudInfo } from '../../local-cloud/src/info';
import { api, eventually, useLocalCloud } from './support/cloud';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

const cloud = useLocalCloud();
const http = api(cloud);

/** The variables that point the commands at this cloud, as a reader's .env would. */
const cloudEnv = () => ({
  ...process.env,
  LC_HTTP_PORT: String(cloud().ports.http),
  LC_WS_PORT: String(cloud().ports.websocket),
  LC_EDGE_PORT: String(cloud().ports.edge),
  LC_WEB_PORT: String(cloud().ports.web),
  FORCE_COLOR: '0',
});

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = cloudEnv()) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      command,
      args,
      { cwd: root, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** A comment on a new post, made with a correlation id of our own; resolves once the broadcaster logged it. */
const commentTraced = async (token: string, postId: string) => {
  const correlationId = `operate-${randomUUID()}`;
  const created = await http.request('POST', `/api/v1/posts/${postId}/comments`, {
    token,
    body: { body: 'traced' },
    headers: { 'x-correlation-id': correlationId },
  });
  expect(created.status).toBe(201);
  await eventually(async () =>
    cloud().logs.query({ correlationId, functions: ['connections.broadcast'] }).lines.length > 0
      ? true
      : undefined,
  );
  return correlationId;
};

let token: string;
let postId: string;
let correlationId: string;

beforeAll(async () => {
  token = await http.token('alice');
  const post = await http.request<{ id: string }>('POST', '/api/v1/posts', {
    token,
    body: { title: 'Operate', body: 'probe' },
  });
  postId = post.body.id;
  // The comments service learns of the post from its event: wait until it accepts comments on it.
  await eventually(async () => {
    const listed = await http.request('GET', `/api/v1/posts/${postId}/comments`);
    return listed.status === 200 ? true : undefined;
  });
  correlationId = await commentTraced(token, postId);
});

describe('the seed probes', () => {
  it('answer 200 on the HTTP port with every service healthy, the edge and the endpoints', async () => {
    const response = await fetch(`${cloud().urls.http}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, Record<string, { status?: string }>>;
    expect(body).toMatchObject({ status: 'healthy', cloud: 'local', stage: 'local' });
    expect(Object.keys(body.services ?? {}).sort()).toEqual(['comments', 'connections', 'posts']);
    for (const service of Object.values(body.services ?? {})) expect(service.status).toBe('healthy');
    expect(body.edge).toEqual(
      expect.objectContaining({ services: expect.objectContaining({ dynamodb: 'running' }) }),
    );
    expect(body.endpoints).toMatchObject({ http: cloud().urls.http, websocket: cloud().urls.websocket });
  });

  it('answer 200 on the WebSocket port too, counting its open connections', async () => {
    const response = await fetch(`${cloud().urls.websocket.replace('ws:', 'http:')}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'healthy', websocket: { connections: 0 } });
  });
});

describe('npm run info', () => {
  it('lists every table, queue with its DLQ, rule and function of the running local cloud, in compose order', async () => {
    const { code, stdout } = await run(tsx, ['scripts/info.ts', '--json']);
    expect(code).toBe(0);
    const info = JSON.parse(stdout) as CloudInfo;
    const { topology } = cloud();
    expect(info.stacks.map((stack) => stack.service)).toEqual(['events', 'posts', 'comments', 'connections']);
    expect(info.stacks.flatMap((stack) => stack.tables).sort()).toEqual(
      topology.tables.map((table) => table.name).sort(),
    );
    expect(info.stacks.flatMap((stack) => stack.queues.map((queue) => queue.name)).sort()).toEqual(
      topology.queues.map((queue) => queue.name).sort(),
    );
    for (const queue of topology.queues.filter((one) => one.redrive)) {
      const listed = info.stacks.flatMap((stack) => stack.queues).find((one) => one.name === queue.name);
      expect(listed?.deadLetterQueue, queue.name).toBe(queue.redrive?.deadLetterTargetArn.split(':').at(-1));
    }
    expect(info.stacks.flatMap((stack) => stack.functions).length).toBe(topology.functions.length);
    expect(info.stacks.flatMap((stack) => stack.rules).length).toBe(
      topology.rules.length + topology.schedules.length,
    );
  });

  it('prints it as text', async () => {
    const { code, stdout } = await run(tsx, ['scripts/info.ts']);
    expect(code).toBe(0);
    expect(stdout).toContain('live-comments on the local cloud, stage local');
    expect(stdout).toContain('local-connections-comment-events   DLQ local-connections-comment-events-dlq');
  });
});

describe('npm run logs', () => {
  it('follows one request through every service by its correlation id', async () => {
    const { code, stdout, stderr } = await run(tsx, ['scripts/logs.ts', '--correlation-id', correlationId]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('connections.broadcast INFO Broadcast page sent');
    for (const line of stdout.trim().split('\n')) expect(line).toContain(correlationId);
  });

  it('reads one function, names what does not exist, and says how to start the cloud when it is down', async () => {
    const one = await run(tsx, ['scripts/logs.ts', 'connections', 'broadcast', '--json']);
    expect(one.code).toBe(0);
    const functions = new Set(
      one.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { function: string }).function),
    );
    expect([...functions]).toEqual(['connections.broadcast']);
    const missing = await run(tsx, ['scripts/logs.ts', 'connections', 'broadcats']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('connections has no function broadcats; its functions: ');
    const down = await run(tsx, ['scripts/logs.ts', 'posts'], {
      ...cloudEnv(),
      LC_HTTP_PORT: String(cloud().ports.web),
    });
    expect(down.code).toBe(1);
  });

  it('--tail prints the lines that come after it started', async () => {
    const child: ChildProcess = spawn(
      tsx,
      ['scripts/logs.ts', 'connections', 'broadcast', '--tail', '--since', '1s', '--interval', '0.3'],
      { cwd: root, env: cloudEnv() },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    try {
      await eventually(async () => (output.includes('following') ? true : undefined));
      const later = await commentTraced(token, postId);
      await eventually(async () => (output.includes(later) ? true : undefined));
      expect(output).not.toContain(correlationId);
    } finally {
      child.kill('SIGINT');
    }
  });
});

/** README's Troubleshooting section: each `sh` block, with the `# ->` lines its output must contain. */
const troubleshootingBlocks = () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Troubleshooting\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
  const blocks: { title: string; script: string; expected: string[] }[] = [];
  let title = 'Troubleshooting';
  for (const part of section.split(/^```/m).entries()) {
    const [index, text] = part;
    if (index % 2 === 0) {
      const headings = [...text.matchAll(/^### (.+)$/gm)];
      title = headings.at(-1)?.[1] ?? title;
      continue;
    }
    if (!text.startsWith('sh\n')) continue;
    const script = text.slice(3);
    const expected = [...script.matchAll(/^# -> (.+)$/gm)].map((match) => match[1] ?? '');
    blocks.push({ title, script, expected });
  }
  return blocks;
};

const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

describe("README's Troubleshooting commands, run against the local cloud", () => {
  const blocks = troubleshootingBlocks();

  it('are there: every section of the seed checklist has commands', () => {
    expect(new Set(blocks.map((block) => block.title))).toEqual(
      new Set([
        'Troubleshooting',
        'WebSocket connection failures',
        'DynamoDB issues',
        'Message broadcasting failures',
        'Configuration issues',
      ]),
    );
  });

  for (const [index, block] of blocks.entries()) {
    const first = block.script.split('\n').find((line) => line.trim() && !line.startsWith('#')) ?? '';
    const needsAws = /^aws /m.test(block.script);
    if (needsAws && !hasAwsCli)
      console.warn(`aws-cli is not installed: skipping "${first}" of README's ${block.title}`);
    it.skipIf(needsAws && !hasAwsCli)(`${block.title} #${index + 1}: ${first.trim()}`, async () => {
      const { ports } = cloud();
      const script = block.script
        .replaceAll('localhost:8000', `localhost:${ports.http}`)
        .replaceAll('localhost:3001', `localhost:${ports.websocket}`)
        .replaceAll('localhost:4566', `localhost:${ports.edge}`)
        .replaceAll('localhost:3000', `localhost:${ports.web}`);
      // -e and -u, not pipefail: a `... | grep` line is checked by its grep, as a reader would read it.
      const { code, stdout, stderr } = await run('bash', ['-euc', script], {
        ...cloudEnv(),
        CORRELATION_ID: correlationId,
      });
      expect(code, `${script}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`).toBe(0);
      for (const text of block.expected) expect(`${stdout}\n${stderr}`, script).toContain(text);
    });
  }
});
