import type { SignedRequest, Transport, TransportResponse } from '../adapters/connections-api';

/** Answers of API Gateway's `@connections`, as its wire shows them. */
export const answers = {
  ok: { status: 200, headers: {}, body: '' },
  gone: { status: 410, headers: { 'x-amzn-errortype': 'GoneException' }, body: '{"message":null}' },
  throttled: {
    status: 429,
    headers: { 'x-amzn-errortype': 'LimitExceededException' },
    body: '{"message":"Too Many Requests"}',
  },
  internalError: {
    status: 500,
    headers: { 'x-amzn-errortype': 'InternalServerErrorException' },
    body: '{"message":"Internal server error"}',
  },
} satisfies Record<string, TransportResponse>;

export interface SentFrame {
  connectionId: string;
  frame: Record<string, unknown>;
  request: SignedRequest;
}

/**
 * The `@connections` endpoint in memory, behind the real connections API
 * client (signing, paths and error mapping run as in production): records
 * each request and answers as scripted per connection id ('*' for any), the
 * last scripted answer repeating; unscripted calls are answered 200.
 */
export const fakeGateway = () => {
  const sent: SentFrame[] = [];
  const scripts = new Map<string, (TransportResponse | Error)[]>();

  const transport: Transport = async (request) => {
    const connectionId = decodeURIComponent(request.path.split('/@connections/')[1] ?? '');
    sent.push({
      connectionId,
      frame: JSON.parse(Buffer.from(request.body).toString('utf8')) as Record<string, unknown>,
      request,
    });
    const script = scripts.get(connectionId) ?? scripts.get('*');
    const answer = script && script.length > 1 ? script.shift() : script?.[0];
    if (answer instanceof Error) throw answer;
    return answer ?? answers.ok;
  };

  return {
    transport,
    sent,
    /** Scripts the answers to a connection's calls, in order; an Error is a call that got no answer. */
    answer(connectionId: string, ...script: (TransportResponse | Error)[]) {
      scripts.set(connectionId, script);
    },
    reset() {
      sent.length = 0;
      scripts.clear();
    },
  };
};
