/**
 * What one DynamoDB call costs in CPU on this machine, on each side, against
 * the local cloud's AWS edge: the AWS SDK v3 DocumentClient (what every
 * handler uses) against the same request written by hand over node:http. The
 * client runs in a worker thread, as a function does in the local cloud; the
 * edge (dynalite behind the edge's HTTP server) on the main thread, as in
 * `npm start`. Prints the median of alternating rounds.
 *
 *   npx tsx bench/sdk-call.ts
 */

import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { startEdge } from '../local-cloud/src/edge/index';
import { Sha256 } from '../local-cloud/src/iam/sigv4';

const CALLS = 2_000;
const ROUNDS = 5;
const TABLE = 'bench-sdk-call';
// The account admin: the edge verifies every signature (src/iam), the admin's calls skip the policy walk.
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The worker: warms up, then times CALLS sequential GetItem calls of one kind. */
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand } = require('@aws-sdk/lib-dynamodb');
const { url, table, calls, kind, credentials, bareHeaders } = workerData;

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: url, region: 'us-east-1', credentials }));
const sdk = () => documents.send(new GetCommand({ TableName: table, Key: { pk: 'a' } }));

// The same request on the wire, with a signature made once (valid 15 minutes: longer than a run).
const agent = new http.Agent({ keepAlive: true });
const { hostname, port } = new URL(url);
const body = JSON.stringify({ TableName: table, Key: { pk: { S: 'a' } } });
const bare = () => new Promise((resolve, reject) => {
  const request = http.request({
    host: hostname, port, method: 'POST', path: '/', agent,
    headers: bareHeaders,
  }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
  });
  request.on('error', reject);
  request.end(body);
});

(async () => {
  const call = kind === 'sdk' ? sdk : bare;
  for (let i = 0; i < calls; i++) await call(); // warm-up
  parentPort.postMessage('warm');
  await new Promise((resolve) => parentPort.once('message', resolve));
  const cpu = process.threadCpuUsage();
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  const used = process.threadCpuUsage(cpu);
  parentPort.postMessage({ clientUs: (used.user + used.system) / calls, wallUs: ((performance.now() - started) * 1000) / calls });
})();
`;

interface Round {
  clientUs: number;
  edgeUs: number;
  wallUs: number;
}

/** The bare request's headers, signed by the SDK's signer once per round. */
const bareHeaders = async (url: string) => {
  const { host, hostname, port } = new URL(url);
  const body = JSON.stringify({ TableName: TABLE, Key: { pk: { S: 'a' } } });
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'dynamodb', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    query: {},
    headers: {
      host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
  return signed.headers;
};

const round = async (url: string, kind: 'sdk' | 'bare'): Promise<Round> => {
  const headers = await bareHeaders(url);
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerCode, {
      eval: true,
      workerData: { url, table: TABLE, calls: CALLS, kind, credentials, bareHeaders: headers },
    });
    let edgeCpu = process.threadCpuUsage();
    worker.on('message', (message: 'warm' | { clientUs: number; wallUs: number }) => {
      if (message === 'warm') {
        edgeCpu = process.threadCpuUsage();
        worker.postMessage('go');
        return;
      }
      const edge = process.threadCpuUsage(edgeCpu);
      resolve({ ...message, edgeUs: (edge.user + edge.system) / CALLS });
      void worker.terminate();
    });
    worker.on('error', reject);
  });
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const edge = await startEdge({ port: 0, host: '127.0.0.1', region: 'us-east-1', accountId: '000000000000' });
try {
  const client = new DynamoDBClient({ endpoint: edge.url, region: 'us-east-1', credentials });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await DynamoDBDocumentClient.from(client).send(
    new PutCommand({ TableName: TABLE, Item: { pk: 'a', n: 1 } }),
  );

  const results: Record<'sdk' | 'bare', Round[]> = { sdk: [], bare: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of ['sdk', 'bare'] as const) results[kind].push(await round(edge.url, kind));
  }
  console.log(
    `machine: ${cpus().length} cores, node ${process.version}; ${CALLS} sequential GetItem calls per round, median of ${ROUNDS} alternating rounds`,
  );
  console.log('                                         client thread   edge thread    wall per call');
  for (const [kind, label] of [
    ['sdk', 'AWS SDK v3 DocumentClient'],
    ['bare', 'the same request over node:http'],
  ] as const) {
    const rounds = results[kind];
    const figure = (pick: (r: Round) => number) => `${median(rounds.map(pick)).toFixed(0)} µs`.padStart(9);
    console.log(
      `${label.padEnd(40)} ${figure((r) => r.clientUs)}      ${figure((r) => r.edgeUs)}      ${figure((r) => r.wallUs)}`,
    );
  }
} finally {
  await edge.stop();
}
