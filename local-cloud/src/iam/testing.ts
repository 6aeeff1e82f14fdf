/**
 * Tests only: an HTTP call signed (SigV4, the SDK's signer) with the given
 * credentials, or unsigned, without an SDK client: for the error answers
 * and the paths the SDK clients do not take.
 */

import { request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sigv4';

export interface RawCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Signs when given; `service` defaults to execute-api, `region` to us-east-1. */
  sign?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    service?: string;
    region?: string;
    signingDate?: Date;
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export async function rawCall(call: RawCall): Promise<RawAnswer> {
  const url = new URL(call.url);
  const body = call.body ?? '';
  let headers: Record<string, string> = {
    host: url.host,
    'content-length': String(Buffer.byteLength(body)),
    ...call.headers,
  };
  if (call.sign) {
    const { service = 'execute-api', region = 'us-east-1', signingDate, ...credentials } = call.sign;
    const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    const signed = await signer.sign(
      {
        method: call.method,
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers,
        body,
      },
      signingDate ? { signingDate } : {},
    );
    headers = signed.headers as Record<string, string>;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        method: call.method,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
