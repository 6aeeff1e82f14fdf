import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './server';

describe('the web app server', () => {
  let app: WebApp;
  let base: string;
  beforeAll(async () => {
    app = await startWebApp({
      port: 0,
      host: '127.0.0.1',
      apiUrl: 'http://127.0.0.1:8000',
      websocketUrl: 'ws://127.0.0.1:3001',
    });
    base = app.url.replace('localhost', '127.0.0.1');
  });
  afterAll(() => app.stop());

  it('is opened at localhost, the origin the stacks allow', () => {
    expect(app.url).toMatch(/^http:\/\/localhost:\d+$/);
  });

  it('serves the page, the bundle built in memory and its styles', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('cache-control')).toBe('no-store');
    const code = await script.text();
    expect(code).toContain('watchPost');
    expect(code).not.toContain('127.0.0.1:8000'); // no URL baked in
    expect((await fetch(`${base}/app.css`)).headers.get('content-type')).toContain('text/css');
  });

  it('tells the bundle where the APIs are', async () => {
    expect(await (await fetch(`${base}/config.json`)).json()).toEqual({
      apiUrl: 'http://127.0.0.1:8000',
      websocketUrl: 'ws://127.0.0.1:3001',
      localSignIn: true,
    });
  });

  it('answers 404 for unknown paths and 405 for writes', async () => {
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('names the variable that moves a taken port', async () => {
    const port = Number(new URL(base).port);
    await expect(
      startWebApp({ port, host: '127.0.0.1', apiUrl: 'http://x', websocketUrl: 'ws://x' }),
    ).rejects.toThrow(`Port ${port} is in use (web app). Set LC_WEB_PORT=...`);
  });
});
