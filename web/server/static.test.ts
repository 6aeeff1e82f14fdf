import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './index';
import { IMMUTABLE, REVALIDATE, staticHandler } from './static';
import { tempTree } from './testing';

/** A static export's shape: the home page, a folder page, a hashed chunk, an RSC payload, the 404 page. */
const exportDir = () => {
  const { root: dir, write } = tempTree('web-out-');
  write('index.html', '<!doctype html><script src="/_next/static/chunks/app-1a2b.js"></script>');
  write('post/index.html', '<!doctype html><title>post</title>');
  write('post/index.txt', '0:["rsc"]');
  write('_next/static/chunks/app-1a2b.js', 'console.log("app")');
  write('_next/static/css/app-3c4d.css', 'body{}');
  write('404.html', '<!doctype html><h1>Not found</h1>');
  return dir;
};

describe('the web app server (a static export, served as the hosting stack would)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const config = {
      apiUrl: 'http://127.0.0.1:8000',
      websocketUrl: 'ws://127.0.0.1:3001',
      localSignIn: true,
    };
    const handle = staticHandler(exportDir(), config);
    server = createServer((req, res) => void handle(req, res));
    base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('serves the page, revalidated on every load, and the hashed assets for a year', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe(REVALIDATE);
    expect(await page.text()).toContain('/_next/static/chunks/app-1a2b.js');
    const script = await fetch(`${base}/_next/static/chunks/app-1a2b.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/_next/static/css/app-3c4d.css`)).headers.get('content-type')).toContain(
      'text/css',
    );
  });

  it('serves a folder’s index.html, redirects the folder without its slash, and serves RSC payloads', async () => {
    const post = await fetch(`${base}/post/?id=p1`);
    expect(await post.text()).toContain('<title>post</title>');
    const bare = await fetch(`${base}/post?id=p1`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/post/?id=p1');
    const rsc = await fetch(`${base}/post/index.txt?_rsc=x`);
    expect(rsc.headers.get('content-type')).toContain('text/plain');
    expect(rsc.headers.get('cache-control')).toBe(REVALIDATE);
  });

  it('tells the app where the APIs are, revalidated on every load', async () => {
    const config = await fetch(`${base}/config.json`);
    expect(config.headers.get('cache-control')).toBe(REVALIDATE);
    expect(await config.json()).toEqual({
      apiUrl: 'http://127.0.0.1:8000',
      websocketUrl: 'ws://127.0.0.1:3001',
      localSignIn: true,
    });
  });

  it('answers 404 with the export’s page for unknown paths and paths out of the folder, 405 for writes, HEAD without a body', async () => {
    const missing = await fetch(`${base}/nope.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Not found');
    // Climbing out of the folder (slashes encoded, so fetch leaves them) stays in it.
    const climbing = await fetch(`${base}/post%2F..%2F..%2F..%2Fetc%2Fpasswd`);
    expect(climbing.status).toBe(404);
    expect(await climbing.text()).not.toContain('root:');
    expect((await fetch(`${base}/`, { method: 'POST', body: '{}' })).status).toBe(405);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('names the variable that moves a taken port', async () => {
    const port = Number(new URL(base).port);
    await expect(listen(createServer(), port, '127.0.0.1')).rejects.toThrow(
      `Port ${port} is in use (web app). Set LC_WEB_PORT=...`,
    );
  });
});
