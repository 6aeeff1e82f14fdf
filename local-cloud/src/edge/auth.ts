/**
 * The edge's gate: every DynamoDB, SQS and EventBridge call must be signed
 * (SigV4) by a known identity, and a function's role must allow each IAM
 * action the call needs. Refusals answer in each protocol's own error shape,
 * so the unmodified SDK surfaces AWS's error names.
 */

import type { WireRequest, WireResponse } from '../aws-wire';
import type { EntryRefusal } from '../eventbridge/api';
import {
  type AuthorizationRequest,
  dynamoDbRequests,
  eventBridgeRequests,
  type IamRegistry,
  type Refusal,
  type SignatureFailure,
  sqsRequests,
} from '../iam';

export type GatedService = 'dynamodb' | 'sqs' | 'events';

/** `__type` per failure, per protocol, and SQS's query-compatible code (x-amzn-query-error). */
const CODES: Record<
  SignatureFailure | 'denied',
  { coral: string; sqs: string; status: number; sqsStatus: number }
> = {
  missing: {
    coral: 'MissingAuthenticationTokenException',
    sqs: 'MissingAuthenticationToken',
    status: 400,
    sqsStatus: 403,
  },
  incomplete: {
    coral: 'IncompleteSignatureException',
    sqs: 'IncompleteSignature',
    status: 400,
    sqsStatus: 400,
  },
  'unknown-key': {
    coral: 'UnrecognizedClientException',
    sqs: 'InvalidClientTokenId',
    status: 400,
    sqsStatus: 403,
  },
  'bad-token': {
    coral: 'UnrecognizedClientException',
    sqs: 'InvalidClientTokenId',
    status: 400,
    sqsStatus: 403,
  },
  expired: { coral: 'InvalidSignatureException', sqs: 'SignatureDoesNotMatch', status: 400, sqsStatus: 403 },
  'bad-signature': {
    coral: 'InvalidSignatureException',
    sqs: 'SignatureDoesNotMatch',
    status: 400,
    sqsStatus: 403,
  },
  denied: { coral: 'AccessDeniedException', sqs: 'AccessDenied', status: 400, sqsStatus: 403 },
};

function refusal(service: GatedService, failure: SignatureFailure | 'denied', message: string): WireResponse {
  const code = CODES[failure];
  switch (service) {
    case 'dynamodb':
      return {
        status: code.status,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify({
          __type: `${failure === 'denied' ? 'com.amazonaws.dynamodb.v20120810' : 'com.amazon.coral.service'}#${code.coral}`,
          message,
        }),
      };
    case 'sqs':
      return {
        status: code.sqsStatus,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${code.sqs};Sender`,
        },
        body: JSON.stringify({ __type: `com.amazon.coral.service#${code.coral}`, message }),
      };
    default:
      return {
        status: code.status,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ __type: code.coral, message }),
      };
  }
}

const operationOf = (request: WireRequest) => {
  const target = String(request.headers['x-amz-target'] ?? '');
  return target.slice(target.indexOf('.') + 1);
};

const requestsOf = (
  registry: IamRegistry,
  service: GatedService,
  operation: string,
  body: Record<string, unknown>,
): AuthorizationRequest[] => {
  switch (service) {
    case 'dynamodb':
      return dynamoDbRequests(registry, operation, body);
    case 'sqs':
      return sqsRequests(registry, operation, body);
    default:
      return eventBridgeRequests(registry, operation, body);
  }
};

/** What the gate lets through: nothing (a refusal to answer with), the call, or a PutEvents with entries refused. */
export type GateOutcome = { refused: WireResponse } | { refuseEntry?: EntryRefusal };

/** The entry condition keys of PutEvents: a refusal that depends on them fails only its entry. */
const ENTRY_KEYS: Record<string, string> = {
  'events:source': 'NotAuthorizedForSourceException',
  'events:detail-type': 'NotAuthorizedForDetailTypeException',
};
const entryCode = (refusal: Refusal): string | undefined =>
  refusal.conditionKeys.map((key) => ENTRY_KEYS[key]).find((code) => code !== undefined);

/**
 * PutEvents is authorized per entry, with each entry's source and
 * detail-type: an entry refused for them fails on its own
 * (`NotAuthorizedForSourceException`, `NotAuthorizedForDetailTypeException`,
 * as PutEventsResultEntry documents), the others are put; a refusal that no
 * entry's fields decide (no PutEvents on the bus at all) fails the whole call.
 */
function putEventsOutcome(
  registry: IamRegistry,
  identity: Parameters<IamRegistry['authorize']>[0],
  requests: AuthorizationRequest[],
): GateOutcome {
  const refusals = requests.map((request) => registry.authorize(identity, [request]));
  const whole = refusals.find((refusal) => refusal && entryCode(refusal) === undefined);
  if (whole) return { refused: refusal('events', 'denied', registry.message(whole)) };
  if (refusals.every((refusal) => refusal === undefined)) return {};
  return {
    refuseEntry: (_entry, index) => {
      const refused = refusals[index];
      return refused
        ? {
            ErrorCode: entryCode(refused) ?? 'AccessDeniedException',
            ErrorMessage: registry.message(refused),
          }
        : undefined;
    },
  };
}

/** Whether the caller may make the call (its signature, then its role and the resource policies). */
export async function gate(
  registry: IamRegistry,
  service: GatedService,
  request: WireRequest,
): Promise<GateOutcome> {
  const verified = await registry.verify(request);
  if (!verified.ok) return { refused: refusal(service, verified.failure, verified.message) };
  if (verified.identity.kind === 'admin') return {};
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(request.body.toString() || '{}') as Record<string, unknown>;
  } catch {
    // The service answers a body it cannot read with its own SerializationException.
    return {};
  }
  const operation = operationOf(request);
  const requests = requestsOf(registry, service, operation, body);
  if (service === 'events' && operation === 'PutEvents')
    return putEventsOutcome(registry, verified.identity, requests);
  const refused = registry.authorize(verified.identity, requests);
  if (!refused) return {};
  return {
    refused: refusal(service, 'denied', registry.message(refused, { lowerCaseAction: service === 'sqs' })),
  };
}
