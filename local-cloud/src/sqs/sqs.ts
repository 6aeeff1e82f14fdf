/**
 * SQS through fauxqs, in process: fauxqs is a Fastify app and every request is
 * passed to it with `inject` (no second port). fauxqs speaks the JSON protocol
 * (`X-Amz-Target: AmazonSQS.*`) that current SDKs and aws-cli v1 >= 1.32 use; it
 * does not speak the legacy query protocol (`Action=SendMessage` form posts),
 * so those get a clear error from the edge.
 *
 * fauxqs builds queue URLs as `http://sqs.<region>.localhost:<port>/...`, a host
 * that does not resolve everywhere; responses are rewritten to the host the
 * client called (`http://127.0.0.1:4566/000000000000/<name>`). fauxqs finds a
 * queue by the last path segment of such a URL, so both forms work.
 */

import { buildApp } from 'fauxqs';
import { awsErrorCode, jsonBody, type WireRequest, type WireResponse } from '../aws-wire';

export class SqsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SqsCallError';
  }
}

export interface SqsService {
  handle(request: WireRequest): Promise<WireResponse>;
  /** Calls one SQS JSON operation in process, as if from `host`. Throws SqsCallError on AWS errors. */
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
  /** The queue URL clients of this edge use. */
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

export interface SqsServiceOptions {
  region: string;
  /** `127.0.0.1:4566`: the host queue URLs point at. */
  host: string;
}

const FAUXQS_QUEUE_URL = /http:\/\/sqs\.[a-z0-9-]+\.localhost(?::\d+)?\//g;
const HOP_BY_HOP = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'date']);

export async function createSqsService(options: SqsServiceOptions): Promise<SqsService> {
  const app = buildApp({ logger: false, defaultRegion: options.region });
  await app.ready();

  const inject = async (request: WireRequest): Promise<WireResponse> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name))
        headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const host = headers.host ?? options.host;
    headers.host = host;
    const response = await app.inject({
      method: request.method as 'POST',
      url: request.url,
      headers,
      payload: request.body,
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) responseHeaders[name] = String(value);
    }
    return {
      status: response.statusCode,
      headers: responseHeaders,
      body: response.body.replace(FAUXQS_QUEUE_URL, `http://${host}/`),
    };
  };

  return {
    handle: inject,
    async call<T>(operation: string, input: Record<string, unknown>): Promise<T> {
      const response = await inject({
        method: 'POST',
        url: '/',
        headers: {
          host: options.host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${operation}`,
        },
        body: Buffer.from(JSON.stringify(input)),
      });
      const parsed = jsonBody(response);
      if (response.status >= 300) {
        throw new SqsCallError(
          awsErrorCode(parsed),
          String(parsed.message ?? response.body.toString()),
          response.status,
        );
      }
      return parsed as T;
    },
    queueUrl: (name) => `http://${options.host}/000000000000/${name}`,
    async stop() {
      await app.close();
    },
  };
}
