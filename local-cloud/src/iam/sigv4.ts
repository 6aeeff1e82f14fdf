/**
 * SigV4 verification of an incoming request: the SDK's own signer
 * (@smithy/signature-v4) signs the request again, as received, with the
 * caller's secret over the headers the caller says it signed, and the two
 * signatures are compared. Refused: no Authorization header, a malformed one,
 * an unknown access key id, a wrong session token, a date more than 15
 * minutes away from now, a signature that differs.
 */

import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the signer hands its hash (`@smithy/types` SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 for the signer on node:crypto (what @smithy/hash-node does; not a dependency here). */
export class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const toBytes = (data: SourceData): Uint8Array | string =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

export interface Secret {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface IncomingSignedRequest {
  method: string;
  /** Path and query as received (`/local/@connections/abc%3D?x=1`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type SignatureFailure =
  | 'missing'
  | 'incomplete'
  | 'unknown-key'
  | 'bad-token'
  | 'expired'
  | 'bad-signature';

export type Verification<T> =
  | { ok: true; identity: T; accessKeyId: string }
  | { ok: false; failure: SignatureFailure; message: string };

/** How far a request's X-Amz-Date may be from now, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** 20261206T221500Z -> epoch ms, or NaN. */
const parseAmzDate = (value: string): number => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
};

const splitUrl = (url: string) => {
  const at = url.indexOf('?');
  return at < 0 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
};

const decode = (text: string) => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

const queryOf = (query: string): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  if (!query) return out;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const existing = out[key];
    out[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
};

/**
 * Verifies requests against the identities `lookup` knows, by access key id.
 * One signer per identity, made once; the signer caches derived signing keys
 * (per day, region and service).
 */
export function createSignatureVerifier<T>(
  lookup: (accessKeyId: string) => { secret: Secret; identity: T } | undefined,
) {
  const signers = new Map<string, SignatureV4>();
  const signerOf = (secret: Secret): SignatureV4 => {
    let signer = signers.get(secret.accessKeyId);
    if (!signer) {
      signer = new SignatureV4({
        credentials: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey },
        region: 'us-east-1',
        service: 'execute-api',
        sha256: Sha256,
        // The payload hash is the caller's x-amz-content-sha256 if it signed one, else the body's.
        applyChecksum: false,
      });
      signers.set(secret.accessKeyId, signer);
    }
    return signer;
  };

  return async (request: IncomingSignedRequest, now = Date.now()): Promise<Verification<T>> => {
    const authorization = header(request.headers, 'authorization');
    if (!authorization) {
      return { ok: false, failure: 'missing', message: 'Missing Authentication Token' };
    }
    const match = AUTHORIZATION.exec(authorization.trim());
    if (!match) {
      return {
        ok: false,
        failure: 'incomplete',
        message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters (AWS4-HMAC-SHA256). Authorization=${authorization.split(' ')[0]}`,
      };
    }
    const [, accessKeyId = '', shortDate, region, service, signedHeaderList = '', signature = ''] = match;
    const known = lookup(accessKeyId);
    if (!known) {
      return {
        ok: false,
        failure: 'unknown-key',
        message: 'The security token included in the request is invalid.',
      };
    }
    const token = header(request.headers, 'x-amz-security-token');
    if ((known.secret.sessionToken ?? undefined) !== (token ?? undefined)) {
      return {
        ok: false,
        failure: 'bad-token',
        message: 'The security token included in the request is invalid.',
      };
    }
    const amzDate = header(request.headers, 'x-amz-date') ?? '';
    const signedAt = parseAmzDate(amzDate);
    if (Number.isNaN(signedAt) || amzDate.slice(0, 8) !== shortDate) {
      return {
        ok: false,
        failure: 'incomplete',
        message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header matching its credential scope.`,
      };
    }
    if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
      const stamp = (ms: number) =>
        new Date(ms)
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, '');
      const bound =
        now - signedAt > 0
          ? `${stamp(now - MAX_CLOCK_SKEW_MS)} (${stamp(now)} - 15 min.)`
          : `${stamp(now + MAX_CLOCK_SKEW_MS)} (${stamp(now)} + 15 min.)`;
      return {
        ok: false,
        failure: 'expired',
        message: `Signature expired: ${amzDate} is now ${now - signedAt > 0 ? 'earlier' : 'later'} than ${bound}`,
      };
    }

    const signedHeaders = signedHeaderList.split(';');
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = header(request.headers, name);
      if (value !== undefined) headers[name] = value;
    }
    const { path, query } = splitUrl(request.url);
    const host = headers.host ?? '';
    const signed = await signerOf(known.secret).sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: host.replace(/:\d+$/, ''),
        path,
        query: queryOf(query),
        headers,
        body: request.body,
      },
      {
        signingDate: new Date(signedAt),
        signingRegion: region,
        signingService: service,
        signableHeaders: new Set(signedHeaders),
      },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
    const expectedHeaders = /SignedHeaders=([^,]+)/.exec(String(signed.headers.authorization ?? ''))?.[1];
    if (
      expectedHeaders !== signedHeaderList ||
      expected.length !== signature.length ||
      !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    ) {
      return {
        ok: false,
        failure: 'bad-signature',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      };
    }
    return { ok: true, identity: known.identity, accessKeyId };
  };
}
