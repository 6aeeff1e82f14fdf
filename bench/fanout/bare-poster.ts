/**
 * The bare rate's HTTP client, for bench/fanout.ts, in a process of its own
 * as the broadcaster's workers are in the local cloud's: `tsx
 * bench/fanout/bare-poster.ts <port> <in flight>` reads the connection ids
 * from bare-server.ts (`GET /_ids`), prints `poster ready <n>`, and on each
 * `go` line on stdin POSTs the frame (BARE_FRAME) to every connection over a
 * keep-alive agent, then prints `posted <ms> <cpu ms>`.
 */
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { forEachLimited } from './support';

const port = Number(process.argv[2]);
const inFlight = Number(process.argv[3] ?? 64);
const frame = Buffer.from(process.env.BARE_FRAME ?? '{}');

const ids = (await (await fetch(`http://127.0.0.1:${port}/_ids`)).json()) as string[];
const agent = new Agent({ keepAlive: true, maxSockets: inFlight });

const post = (id: string) =>
  new Promise<void>((resolvePost, reject) => {
    const outgoing = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/@connections/${encodeURIComponent(id)}`,
        headers: { 'content-type': 'application/json', 'content-length': frame.length },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200
            ? resolvePost()
            : reject(new Error(`bare POST: ${response.statusCode}`)),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(frame);
  });

process.stdout.write(`poster ready ${ids.length}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await forEachLimited(ids.length, inFlight, (index) => post(ids[index] as string));
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(
    `posted ${(performance.now() - started).toFixed(1)} ${((cpu.user + cpu.system) / 1000).toFixed(1)}\n`,
  );
}
agent.destroy();
