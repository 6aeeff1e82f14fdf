/** The edge reads each request whole, then hands it to one service; services answer with a whole response. */

import type { IncomingHttpHeaders } from 'node:http';

export interface EdgeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface EdgeResponse {
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
): EdgeResponse => ({
  status,
  headers: { 'content-type': contentType },
  body: JSON.stringify({ __type: code, message }),
});
