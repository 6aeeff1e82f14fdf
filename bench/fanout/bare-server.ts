/**
 * The bare shape of `@connections`, for bench/fanout.ts: a plain `ws`
 * WebSocketServer and an HTTP server on one loopback port, nothing else.
 * A client that connects gets `{"type":"hello","connectionId":...}`;
 * `POST [/{stage}]/@connections/{id}` sends the request body to that socket as a text
 * frame and answers 200 (410 when the id is not connected), like the local
 * gateway's management API but without a Lambda, a store or a queue.
 * `GET /_ids` lists the connected ids (for bench/fanout/bare-poster.ts).
 * Prints `bare listening on <port>` once it accepts connections.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

const PREFIX = '/@connections/';
const sockets = new Map<string, WebSocket>();
let nextId = 0;

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/_ids') {
    // For bench/fanout/bare-poster.ts: who to POST to.
    const body = JSON.stringify([...sockets.keys()]);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  // `/@connections/{id}`, or `/{stage}/@connections/{id}` as SDK clients send it.
  const at = url.indexOf(PREFIX);
  if (req.method !== 'POST' || at === -1) {
    req.resume();
    res.writeHead(403, { 'content-length': 0 });
    res.end();
    return;
  }
  const socket = sockets.get(url.slice(at + PREFIX.length));
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (!socket || socket.readyState !== socket.OPEN) {
      res.writeHead(410, { 'content-length': 0 });
      res.end();
      return;
    }
    socket.send(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), { binary: false });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 65_000;

server.on('upgrade', (req, raw, head) => {
  raw.on('error', () => raw.destroy());
  wss.handleUpgrade(req, raw, head, (socket) => {
    const id = (nextId++).toString(36);
    sockets.set(id, socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(id));
    socket.send(JSON.stringify({ type: 'hello', connectionId: id }));
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`bare listening on ${typeof address === 'object' && address ? address.port : 0}\n`);
});

const shutdown = () => {
  for (const socket of sockets.values()) socket.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
