import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answers, fakeGateway } from '../testing/fakes';
import { ConnectionsApiError, createConnectionsApi } from './connections-api';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const frame = Buffer.from('{"type":"pong","requestId":"r1"}');

const setup = (endpoint = 'https://abc123.execute-api.us-east-1.amazonaws.com/test') => {
  const gateway = fakeGateway();
  const api = createConnectionsApi({ endpoint, credentials, transport: gateway.transport });
  return { gateway, api };
};

const rejectionOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as ConnectionsApiError;
  }
  throw new Error('expected a rejection');
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-01T09:31:00Z'));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('createConnectionsApi', () => {
  it('signs PostToConnection exactly as AWS SigV4 does (vector computed with botocore 1.43)', async () => {
    const { gateway, api } = setup();

    await api.postToConnection('L0SM9cOFvHcCIhw=', frame);

    const [sent] = gateway.sent;
    expect(sent?.request).toMatchObject({
      method: 'POST',
      protocol: 'https:',
      hostname: 'abc123.execute-api.us-east-1.amazonaws.com',
      path: '/test/@connections/L0SM9cOFvHcCIhw%3D',
    });
    expect(sent?.request.headers).toEqual({
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'content-type': 'application/json',
      'content-length': '32',
      'x-amz-date': '20261101T093100Z',
      'x-amz-security-token': 'session-token',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261101/us-east-1/execute-api/aws4_request, ' +
        'SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token, ' +
        'Signature=2516f30dd39a9719a6ec013e4f2c4827ae36101278ab6092b0463c3510601079',
    });
    expect(Buffer.from(sent?.request.body ?? []).toString()).toBe(frame.toString());
  });

  it('talks plain HTTP to a local endpoint, port and stage kept, signing in AWS_REGION', async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const { gateway, api } = setup('http://127.0.0.1:3001/local');

    await api.postToConnection('abc', frame);

    expect(gateway.sent[0]?.request).toMatchObject({
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3001,
      path: '/local/@connections/abc',
    });
    expect(gateway.sent[0]?.request.headers.host).toBe('127.0.0.1:3001');
    expect(gateway.sent[0]?.request.headers.authorization).toContain('/us-east-1/execute-api/');
  });

  it('refuses an endpoint it cannot sign for (no region)', () => {
    vi.stubEnv('AWS_REGION', '');
    expect(() => setup('http://127.0.0.1:3001/local')).toThrow(/No signing region/);
  });

  it("encodes a connection id as the SDK's labels are", async () => {
    const { gateway, api } = setup();

    await api.postToConnection("a/b c!'()*", frame);

    expect(gateway.sent[0]?.request.path).toBe('/test/@connections/a%2Fb%20c%21%27%28%29%2A');
  });

  it('closes a connection with a signed DELETE on its @connections path (DeleteConnection)', async () => {
    const { gateway, api } = setup();

    await api.deleteConnection('L0SM9cOFvHcCIhw=');

    expect(gateway.sent).toHaveLength(0);
    const [call] = gateway.deleted;
    expect(call?.connectionId).toBe('L0SM9cOFvHcCIhw=');
    expect(call?.request).toMatchObject({
      method: 'DELETE',
      hostname: 'abc123.execute-api.us-east-1.amazonaws.com',
      path: '/test/@connections/L0SM9cOFvHcCIhw%3D',
    });
    expect(call?.request.body.byteLength).toBe(0);
    expect(call?.request.headers.authorization).toMatch(
      /SignedHeaders=host;x-amz-date;x-amz-security-token,/,
    );
  });

  it('rejects a DELETE of a closed connection with GoneException', async () => {
    const { gateway, api } = setup();
    gateway.answer('*', answers.gone);

    const error = await rejectionOf(api.deleteConnection('closed'));

    expect(error.name).toBe('GoneException');
  });

  it('rejects with the error type AWS names, without its namespace suffix', async () => {
    const { gateway, api } = setup();
    gateway.answer('*', {
      status: 410,
      headers: { 'x-amzn-errortype': 'GoneException:http://internal.amazon.com/coral/com.amazon.coral/' },
      body: '{"message":null}',
    });

    const error = await rejectionOf(api.postToConnection('closed', frame));

    expect(error).toBeInstanceOf(ConnectionsApiError);
    expect(error.name).toBe('GoneException');
    expect(error.$metadata.httpStatusCode).toBe(410);
  });

  it('names an error by its status when no error type came, and keeps the message', async () => {
    const { gateway, api } = setup();
    gateway.answer('*', { status: 429, headers: {}, body: '{"message":"Too Many Requests"}' });

    const error = await rejectionOf(api.postToConnection('a', frame));

    expect(error.name).toBe('LimitExceededException');
    expect(error.message).toBe('Too Many Requests');
    expect(error.$metadata.httpStatusCode).toBe(429);
  });

  it('passes on a call that got no answer, without a status', async () => {
    const { gateway, api } = setup();
    gateway.answer('*', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    const error = await rejectionOf(api.postToConnection('a', frame));

    expect(error.message).toBe('socket hang up');
    expect(error.$metadata).toBeUndefined();
  });

  it('answers an internal error with its status', async () => {
    const { gateway, api } = setup();
    gateway.answer('*', answers.internalError);

    const error = await rejectionOf(api.postToConnection('a', frame));

    expect(error.name).toBe('InternalServerErrorException');
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it('signs in the region of an execute-api endpoint, whatever AWS_REGION says', async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const { gateway, api } = setup('https://abc123.execute-api.eu-west-1.amazonaws.com/prod');

    await api.postToConnection('a', frame);

    expect(gateway.sent[0]?.request.headers.authorization).toContain('/eu-west-1/execute-api/');
  });
});
