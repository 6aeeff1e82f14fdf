/**
 * The AWS JSON protocols as the edge's services speak them: each request is
 * read whole and handed to one service, which answers with a whole response;
 * errors are `{ "__type": <code>, "message": ... }`. The ground floor under the
 * edge, DynamoDB and SQS.
 */

import type { IncomingHttpHeaders } from 'node:http';

export interface WireRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The JSON error shape of the AWS JSON protocols (`__type` + `message`). */
export const awsJsonError = (
  status: number,
  code: string,
  message: string,
  contentType = 'application/x-amz-json-1.1',
): WireResponse => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify({ __type: code, message }),
});

/** A request's or response's JSON body; an empty body is `{}`. */
export const jsonBody = (message: { body: string | Buffer }): Record<string, unknown> =>
  JSON.parse(message.body.toString() || '{}') as Record<string, unknown>;

/**
 * The code of an AWS JSON error without its namespace
 * (`com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` is `ResourceNotFoundException`),
 * `InternalError` when the body names none.
 */
export const awsErrorCode = (body: Record<string, unknown>): string =>
  String(body.__type ?? 'InternalError').replace(/^.*#/, '');
