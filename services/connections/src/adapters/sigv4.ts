import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * AWS Signature Version 4 for one shape of request: a POST with a body (or a
 * DELETE without one) and a few fixed headers, to a non-S3 service
 * (execute-api), no query string.
 *
 * Why not @smithy/signature-v4 (the SDK's signer): it is general (any
 * method, query, header set, presigning) and cost ~170 µs per request in the
 * fan-out profile, more than the HTTP exchange it signs. This does the same
 * arithmetic with the signing key cached per day and the payload hash per
 * body, and its tests check it against botocore's vector and the SDK's signer.
 */
export interface RequestToSign {
  /** Default POST. */
  method?: 'POST' | 'DELETE';
  /** The path as sent, its segments already URI-encoded once. */
  path: string;
  /** Host header value (host[:port]). */
  host: string;
  /** Further headers to sign, names in lower case (content-type, content-length, ...). */
  headers: Record<string, string>;
  body: Uint8Array;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** RFC 3986 encoding, as SigV4 and the SDK's path labels want it (encodeURIComponent leaves !'()* alone). */
export const escapeUri = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Non-S3 services sign the path encoded a second time, segment by segment,
 * with `.` and `..` segments resolved.
 */
export const canonicalPath = (path: string): string => {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = path.endsWith('/') && segments.length > 0 ? '/' : '';
  return `/${segments.map(escapeUri).join('/')}${trailing}`;
};

/** 20261101T093100Z */
const amzDateOf = (epochSeconds: number) =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

export const createSigV4Signer = ({ service, region }: { service: string; region: string }) => {
  let clock = { second: -1, amzDate: '' };
  let signingKey: { scope: string; secret: string; key: Buffer } = {
    scope: '',
    secret: '',
    key: Buffer.alloc(0),
  };
  let payload: { body: Uint8Array | undefined; hash: string } = { body: undefined, hash: '' };

  const keyFor = (date: string, secret: string): Buffer => {
    if (signingKey.scope !== date || signingKey.secret !== secret) {
      const dateKey = hmac(`AWS4${secret}`, date);
      const key = hmac(hmac(hmac(dateKey, region), service), 'aws4_request');
      signingKey = { scope: date, secret, key };
    }
    return signingKey.key;
  };

  /** The request's headers with x-amz-date, x-amz-security-token and authorization added. */
  return (request: RequestToSign, credentials: AwsCredentialIdentity, now = Date.now()) => {
    const second = Math.floor(now / 1000);
    if (second !== clock.second) clock = { second, amzDate: amzDateOf(second) };
    const amzDate = clock.amzDate;
    const date = amzDate.slice(0, 8);
    // A broadcast page sends one body to many connections: hash it once.
    if (payload.body !== request.body) payload = { body: request.body, hash: sha256Hex(request.body) };

    const headers: Record<string, string> = {
      ...request.headers,
      host: request.host,
      'x-amz-date': amzDate,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const names = Object.keys(headers).sort();
    let canonicalHeaders = '';
    for (const name of names) {
      canonicalHeaders += `${name}:${String(headers[name]).trim().replace(/\s+/g, ' ')}\n`;
    }
    const signedHeaders = names.join(';');
    const canonicalRequest = `${request.method ?? 'POST'}\n${canonicalPath(request.path)}\n\n${canonicalHeaders}\n${signedHeaders}\n${payload.hash}`;
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', keyFor(date, credentials.secretAccessKey))
      .update(stringToSign)
      .digest('hex');
    headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  };
};
