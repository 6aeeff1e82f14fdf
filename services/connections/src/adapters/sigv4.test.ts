import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { canonicalPath, createSigV4Signer } from './sigv4';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const at = Date.parse('2026-11-01T09:31:00Z');

/** node:crypto in the shape the SDK's signer takes. */
class Sha256 {
  private hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}
const toBytes = (data: SourceData) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The SDK's own signer, the oracle. */
const sdkSignature = async (
  request: { path: string; host: string; body: Uint8Array; region: string; method?: 'POST' | 'DELETE' },
  creds: typeof credentials | Omit<typeof credentials, 'sessionToken'>,
  when: number,
) => {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: request.region,
    credentials: creds,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method ?? 'POST',
      protocol: 'https:',
      hostname: request.host,
      path: request.path,
      query: {},
      headers:
        request.method === 'DELETE'
          ? { host: request.host }
          : {
              host: request.host,
              'content-type': 'application/json',
              'content-length': String(request.body.byteLength),
            },
      body: request.body,
    },
    { signingDate: new Date(when) },
  );
  return signed.headers;
};

describe('createSigV4Signer', () => {
  it("signs as botocore does (AWS's vector for this request, computed with botocore 1.43)", () => {
    const sign = createSigV4Signer({ service: 'execute-api', region: 'us-east-1' });
    const body = Buffer.from('{"type":"pong","requestId":"r1"}');

    const headers = sign(
      {
        path: '/test/@connections/L0SM9cOFvHcCIhw%3D',
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        headers: { 'content-type': 'application/json', 'content-length': '32' },
        body,
      },
      credentials,
      at,
    );

    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261101/us-east-1/execute-api/aws4_request, ' +
        'SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token, ' +
        'Signature=2516f30dd39a9719a6ec013e4f2c4827ae36101278ab6092b0463c3510601079',
    );
    expect(headers['x-amz-date']).toBe('20261101T093100Z');
    expect(headers['x-amz-security-token']).toBe('session-token');
  });

  const cases = [
    { id: 'L0SM9cOFvHcCIhw%3D', region: 'us-east-1', stage: 'prod', body: '{"type":"comment.created"}' },
    { id: 'a%2Fb%20c%21%27%28%29%2A', region: 'eu-west-1', stage: 'test', body: '{"é":"ü ✓"}' },
    { id: 'Zm9vYmFy', region: 'ap-southeast-2', stage: 'v1', body: 'x'.repeat(4096) },
  ];

  for (const [index, sample] of cases.entries()) {
    it(`agrees with the SDK's signer (case ${index + 1}: ${sample.region}, /${sample.stage})`, async () => {
      const sign = createSigV4Signer({ service: 'execute-api', region: sample.region });
      const host = `abc123.execute-api.${sample.region}.amazonaws.com`;
      const path = `/${sample.stage}/@connections/${sample.id}`;
      const body = Buffer.from(sample.body);
      const when = at + index * 86_400_000 + 1234;

      for (const creds of [credentials, { accessKeyId: 'AKID2', secretAccessKey: 'other' }]) {
        const ours = sign(
          {
            path,
            host,
            headers: { 'content-type': 'application/json', 'content-length': String(body.byteLength) },
            body,
          },
          creds,
          when,
        );
        const theirs = await sdkSignature({ path, host, body, region: sample.region }, creds, when);
        expect(ours.authorization).toBe(theirs.authorization);
        expect(ours['x-amz-date']).toBe(theirs['x-amz-date']);
      }
    });
  }

  it("agrees with the SDK's signer on a DELETE without a body (DeleteConnection)", async () => {
    const sign = createSigV4Signer({ service: 'execute-api', region: 'eu-west-1' });
    const host = 'abc123.execute-api.eu-west-1.amazonaws.com';
    const path = '/prod/@connections/L0SM9cOFvHcCIhw%3D';
    const body = new Uint8Array(0);

    const ours = sign({ method: 'DELETE', path, host, headers: {}, body }, credentials, at);
    const theirs = await sdkSignature(
      { path, host, body, region: 'eu-west-1', method: 'DELETE' },
      credentials,
      at,
    );

    expect(ours.authorization).toBe(theirs.authorization);
    // The POST of the same path signs differently: the method is signed.
    expect(sign({ path, host, headers: {}, body }, credentials, at).authorization).not.toBe(
      ours.authorization,
    );
  });

  it('keeps its caches honest: a new body, day or secret changes the signature', () => {
    const sign = createSigV4Signer({ service: 'execute-api', region: 'us-east-1' });
    const request = (body: string) => ({
      path: '/prod/@connections/abc',
      host: 'h.execute-api.us-east-1.amazonaws.com',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
    });
    const first = sign(request('a'), credentials, at).authorization;

    expect(sign(request('a'), credentials, at).authorization).toBe(first);
    expect(sign(request('b'), credentials, at).authorization).not.toBe(first);
    expect(sign(request('a'), credentials, at + 86_400_000).authorization).not.toBe(first);
    expect(sign(request('a'), { ...credentials, secretAccessKey: 'rotated' }, at).authorization).not.toBe(
      first,
    );
    expect(sign(request('a'), credentials, at).authorization).toBe(first);
  });
});

describe('canonicalPath', () => {
  it('encodes each segment again and resolves dot segments', () => {
    expect(canonicalPath('/prod/@connections/L0SM9cOFvHcCIhw%3D')).toBe(
      '/prod/%40connections/L0SM9cOFvHcCIhw%253D',
    );
    expect(canonicalPath('/a/./b/../c/')).toBe('/a/c/');
    expect(canonicalPath('/')).toBe('/');
  });
});
