import { awsJsonError, type WireRequest, type WireResponse } from '../aws-wire';

/** DynamoDB's JSON protocol, as the local DynamoDB answers it. */
export const CONTENT_TYPE = 'application/x-amz-json-1.0';

export const json = (body: unknown): WireResponse => ({
  status: 200,
  headers: { 'content-type': CONTENT_TYPE },
  body: JSON.stringify(body),
});

export const validation = (message: string): WireResponse =>
  awsJsonError(400, 'com.amazon.coral.validate#ValidationException', message, CONTENT_TYPE);

/** A DynamoDB request as the SDK would send it, for calls made inside the local cloud (and tests). */
export const operationRequest = (operation: string, input: unknown): WireRequest => ({
  method: 'POST',
  url: '/',
  headers: {
    'content-type': CONTENT_TYPE,
    'x-amz-target': `DynamoDB_20120810.${operation}`,
    'x-amz-date': '20240101T000000Z',
    // dynalite checks that a SigV4 header is present, not that it is valid.
    authorization:
      'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  },
  body: Buffer.from(JSON.stringify(input)),
});
