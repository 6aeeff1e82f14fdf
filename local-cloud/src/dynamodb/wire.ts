import { awsJsonError, type EdgeResponse } from '../edge/http';

/** DynamoDB's JSON protocol, as the local DynamoDB answers it. */
export const CONTENT_TYPE = 'application/x-amz-json-1.0';

export const json = (body: unknown): EdgeResponse => ({
  status: 200,
  headers: { 'content-type': CONTENT_TYPE },
  body: JSON.stringify(body),
});

export const validation = (message: string): EdgeResponse =>
  awsJsonError(400, 'com.amazon.coral.validate#ValidationException', message, CONTENT_TYPE);
