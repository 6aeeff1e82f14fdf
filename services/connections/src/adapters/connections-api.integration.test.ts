import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionsApiError, createConnectionsApi } from './connections-api';

/** A stand-in for the `@connections` endpoint on loopback, counting the TCP connections it is given. */
let server: Server;
let endpoint: string;
let sockets = 0;
const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url?.endsWith('/gone')) {
        res.writeHead(410, { 'x-amzn-errortype': 'GoneException', 'content-type': 'application/json' });
        res.end('{"message":null}');
      } else if (req.url?.endsWith('/forbidden')) {
        res.writeHead(403, { 'x-amzn-errortype': 'ForbiddenException', 'content-type': 'application/json' });
        // In two writes, the second splitting a multi-byte character: the message is decoded whole.
        const body = Buffer.from('{"message":"Forbidden: caf\u00e9"}');
        res.write(body.subarray(0, body.length - 3));
        setTimeout(() => res.end(body.subarray(body.length - 3)), 10);
      } else if (req.url?.endsWith('/silent')) {
        // Never answers: the client gives up after its timeout.
      } else {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      }
    });
  });
  server.on('connection', () => {
    sockets += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/local`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };

describe('connections API over HTTP', () => {
  it('sends signed frames over a few kept-alive sockets', async () => {
    const api = createConnectionsApi({ endpoint, region: 'us-east-1', credentials, maxSockets: 4 });
    const before = sockets;
    received.length = 0;

    await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        api.postToConnection(`conn-${index}=`, Buffer.from(`{"n":${index}}`)),
      ),
    );

    expect(received).toHaveLength(200);
    expect(sockets - before).toBeLessThanOrEqual(4);
    const first = received.find((request) => request.path === '/local/@connections/conn-0%3D');
    expect(first?.body).toBe('{"n":0}');
    expect(first?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(first?.headers['x-amz-security-token']).toBe('token');
  });

  it('rejects a closed connection as GoneException (410)', async () => {
    const api = createConnectionsApi({ endpoint, region: 'us-east-1', credentials });

    const error = await api.postToConnection('gone', Buffer.from('{}')).catch((e: unknown) => e);

    expect((error as ConnectionsApiError).name).toBe('GoneException');
    expect((error as ConnectionsApiError).$metadata.httpStatusCode).toBe(410);
  });

  it("reads an error answer's message, however it is chunked", async () => {
    const api = createConnectionsApi({ endpoint, region: 'us-east-1', credentials });

    const error = await api.postToConnection('forbidden', Buffer.from('{}')).catch((e: unknown) => e);

    expect((error as ConnectionsApiError).name).toBe('ForbiddenException');
    expect((error as ConnectionsApiError).message).toBe('Forbidden: café');
    expect((error as ConnectionsApiError).$metadata.httpStatusCode).toBe(403);
  });

  it('gives up on a call that gets no answer, without a status (so it is retried)', async () => {
    const api = createConnectionsApi({ endpoint, region: 'us-east-1', credentials, timeoutMs: 200 });

    const error = await api.postToConnection('silent', Buffer.from('{}')).catch((e: unknown) => e);

    expect((error as ConnectionsApiError).name).toBe('TimeoutError');
    expect((error as ConnectionsApiError).$metadata).toEqual({});
  });
});
