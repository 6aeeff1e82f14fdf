import { base64url, decodeJwt, exportSPKI, importJWK, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  type Comment,
  createApiClient,
  createLiveComments,
  type LiveComments,
  type SocketLike,
} from '../../client/src/index';
import { api, eventually, subscribersOf, useLocalCloud } from './support/cloud';
import { TestSocket } from './support/ws-client';

/**
 * Tokens and the handshake (README "Security"), on the real local cloud:
 * what `$connect` refuses, and that a connection does not outlive its token.
 */
const cloud = useLocalCloud();
const { request } = api(cloud);

const SCHEDULED = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

/** A token from `POST /_local/token`, living `expiresIn` seconds. */
const shortToken = async (sub: string, expiresIn: number) => {
  const response = await request<{ token: string }>('POST', '/_local/token', { body: { sub, expiresIn } });
  expect(response.status).toBe(200);
  return response.body.token;
};

const handshake = (token: string) =>
  TestSocket.open(`${cloud().urls.websocket}?token=${encodeURIComponent(token)}`);

/** Waits (polling, no fixed sleep) until the clock is past a token's `exp`. */
const pastExpiry = (token: string) =>
  eventually(async () => (Date.now() / 1000 > (decodeJwt(token).exp ?? 0) ? true : undefined), 15_000);

/** The issuer's public key as PEM, from its JWKS: what the algorithm-confusion attack signs with. */
const issuerPublicPem = async () => {
  const jwks = (await fetch(`${cloud().issuerUrl}/.well-known/jwks.json`).then((r) => r.json())) as {
    keys: JWK[];
  };
  const [jwk] = jwks.keys;
  if (!jwk) throw new Error('the issuer has no key');
  const key = await importJWK(jwk, 'RS256');
  if (key instanceof Uint8Array) throw new Error('the issuer’s key is not a public key');
  return { pem: await exportSPKI(key), kid: jwk.kid ?? '' };
};

const cognitoClaims = () => ({
  sub: 'mallory',
  iss: cloud().issuerUrl,
  client_id: 'live-comments',
  token_use: 'access',
  exp: Math.floor(Date.now() / 1000) + 600,
});

describe('the handshake refuses (401) a token', () => {
  it.each([
    ['without exp', { exp: null }],
    ['without sub', { sub: null }],
    ['with token_use id (client_id the app: an access token)', { token_use: 'id' }],
    ['without token_use (client_id the app: an access token)', { token_use: null }],
    ['for another app client', { client_id: 'someone-else' }],
    ['from another issuer', { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_evil' }],
  ])('%s', async (_case, claims) => {
    const token = await cloud().issueToken({ sub: 'mallory', claims });

    await expect(handshake(token)).rejects.toThrow(/401/);
  });

  it('that has expired', async () => {
    const token = await shortToken('mallory', 1);
    await pastExpiry(token);

    await expect(handshake(token)).rejects.toThrow(/401/);
  });

  it('signed HS256 with the issuer’s public key as the secret (algorithm confusion)', async () => {
    const { pem, kid } = await issuerPublicPem();
    const token = await new SignJWT(cognitoClaims())
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode(pem));

    await expect(handshake(token)).rejects.toThrow(/401/);
  });

  it('with alg none', async () => {
    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    const token = `${part({ alg: 'none' })}.${part(cognitoClaims())}.`;

    await expect(handshake(token)).rejects.toThrow(/401/);
  });

  it('while the local issuer’s own token passes, as does an anonymous reader', async () => {
    const signedIn = await handshake(await shortToken('alice', 600));
    const anonymous = await TestSocket.open(cloud().urls.websocket);
    expect(await signedIn.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    signedIn.close();
    anonymous.close();
  });
});

describe('a connection does not outlive its token', () => {
  it('is sent token_expired and closed once the token has expired, its subscription gone', async () => {
    const token = await shortToken('alice', 3);
    const socket = await handshake(token);
    const keeper = await handshake(await shortToken('bob', 600));
    const anonymous = await TestSocket.open(cloud().urls.websocket);
    expect(await socket.request({ action: 'subscribe', topic: 'feed' })).toMatchObject({
      type: 'subscribed',
    });

    // The sweep runs every minute on its own; the test runs it once the token has expired.
    await pastExpiry(token);
    expect(await cloud().invoke('connections.closeExpired', SCHEDULED)).toMatchObject({
      ok: true,
    });

    expect(await socket.next((frame) => frame.code === 'token_expired')).toEqual({
      type: 'error',
      code: 'token_expired',
      message: expect.any(String),
    });
    await eventually(async () => socket.closed);
    expect(await subscribersOf(cloud().urls.edge, 'feed')).toEqual([]);
    // Connections with a live token, and anonymous readers, stay.
    expect(await keeper.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    expect(await anonymous.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    keeper.close();
    anonymous.close();
  });
});

describe('the typed client with short-lived tokens', () => {
  const opened: LiveComments[] = [];
  afterEach(() => {
    for (const live of opened.splice(0)) live.close();
  });

  it('keeps every comment of a post, once each, across three token refreshes while comments are written', async () => {
    const writer = createApiClient({
      apiUrl: cloud().urls.http,
      token: async () => shortToken('alice', 600),
    });
    const post = await writer.createPost({ title: 'Tokens', body: 'Short-lived tokens' });
    // The comments service learns of the post asynchronously (PostCreated).
    await eventually(async () => {
      try {
        return await writer.createComment(post.id, 'first');
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    });

    let issued = 0;
    const sockets: SocketLike[] = [];
    const live = createLiveComments({
      websocketUrl: cloud().urls.websocket,
      apiUrl: cloud().urls.http,
      // 8 s tokens: a new connection about 0.8 s (10%) before each expires.
      token: async () => {
        issued++;
        return shortToken('reader', 8);
      },
      socket: (url) => {
        const socket = new WebSocket(url) as unknown as SocketLike;
        sockets.push(socket);
        return socket;
      },
    });
    opened.push(live);
    const received: Comment[] = [];
    live.watchPost(post.id, { onComment: (comment) => received.push(comment) });
    // The first handshake may start cold functions: the refreshes are what is tested.
    await eventually(async () => (live.state === 'open' ? true : undefined), 60_000);

    // Comments written one after another until the third refresh has been handed over.
    const written: string[] = [];
    const handedOver = () => issued >= 4 && sockets.length >= 4 && live.state === 'open';
    while (!handedOver()) written.push((await writer.createComment(post.id, `c${written.length}`)).id);
    for (let i = 0; i < 5; i++) written.push((await writer.createComment(post.id, `after${i}`)).id);

    await eventually(
      async () => (written.every((id) => received.some((c) => c.id === id)) ? true : undefined),
      30_000,
    );
    const ids = received.map((comment) => comment.id);
    expect(new Set(ids).size).toBe(ids.length); // none twice
    expect(received.map((comment) => comment.seq)).toEqual(received.map((_, index) => index + 1)); // none lost, in order
    expect(written.length).toBeGreaterThan(3);
    // Each replaced connection was closed by the client.
    for (const socket of sockets.slice(0, 3)) expect(socket.readyState).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
