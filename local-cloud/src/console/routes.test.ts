import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedriveError } from '../../../scripts/dead-letters/dead-letters';
import { splitUrl } from '../gateways/http-io';
import type { OperatorConsole } from './console';
import type { ConsoleState } from './model';
import { createConsoleRoutes } from './routes';

const state = { at: 1, functions: {}, logs: [], path: [] } as unknown as ConsoleState;
const redriven: string[] = [];
const fakeConsole: OperatorConsole = {
  observeLog: () => {},
  observeInvocation: () => {},
  observeRequest: () => {},
  state: async () => state,
  watch: (_filter, send) => {
    send({ type: 'snapshot', state });
    return () => {};
  },
  redrive: async (queue) => {
    if (queue !== 'work-dlq') throw new RedriveError(`${queue} is not a dead-letter queue here.`);
    redriven.push(queue);
    return { queue, moved: 2, failed: 0, destination: 'http://edge/000000000000/work' };
  },
  stop: () => {},
};

let server: Server;
let base = '';
beforeAll(async () => {
  const routes = createConsoleRoutes(fakeConsole);
  server = createServer((req, res) => {
    const { path, query } = splitUrl(req.url);
    if (!routes.handle(req, res, path, query)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const redrive = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}/_local/console/redrive`, { method: 'POST', headers, body });

describe('the console’s routes', () => {
  it('serve the page, its bundled script and styles (uPlot’s included), no CDN', async () => {
    const page = await fetch(`${base}/_local/console`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/_local/console/app.js">');
    expect(html).not.toMatch(/src="https?:/);
    const script = await fetch(`${base}/_local/console/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect(await (await fetch(`${base}/_local/console/app.css`)).text()).toContain('.uplot');
  }, 30_000);

  it('stream a snapshot as a Server-Sent Event', async () => {
    const response = await fetch(`${base}/_local/console/stream`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body?.getReader();
    let text = '';
    while (!text.includes('\n\nevent: snapshot') || !text.endsWith('\n\n')) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    await reader?.cancel();
    expect(text).toContain(`event: snapshot\ndata: ${JSON.stringify(state)}\n\n`);
  });

  it('redrive a DLQ named in a JSON body, and say why not with a 4xx', async () => {
    const moved = await redrive('{"queue":"work-dlq"}');
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ queue: 'work-dlq', moved: 2 });
    expect(redriven).toEqual(['work-dlq']);
    const unknown = await redrive('{"queue":"nope"}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: { code: 'validation_failed', message: 'nope is not a dead-letter queue here.' },
    });
    expect((await redrive('{}')).status).toBe(400);
    expect(
      (await redrive('queue=work-dlq', { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
  });

  it('refuse a redrive from a page of another origin (the local routes answer any CORS preflight)', async () => {
    const response = await redrive('{"queue":"work-dlq"}', {
      'content-type': 'application/json',
      origin: 'http://evil.example',
    });
    expect(response.status).toBe(403);
    expect(redriven).toEqual(['work-dlq']);
  });
});
