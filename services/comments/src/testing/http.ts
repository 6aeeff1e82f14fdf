/** Calling the service's HTTP handlers in tests, with the shared kit's events. */
import type { HttpEvent, HttpResult } from '@live-comments/shared';
import { httpEvent, lambdaContext } from '@live-comments/shared/testing';
import type { Context } from 'aws-lambda';

type HttpHandler = (event: HttpEvent, context: Context) => Promise<unknown>;

/**
 * `get(query?)`: a GET of the route through the handler `build` makes (built
 * per call, so it sees the fakes of the current test), answering the status
 * and the parsed JSON body.
 */
export const httpGet =
  (build: () => HttpHandler, routeKey: string, pathParameters: Record<string, string>) =>
  async (query?: Record<string, string>) => {
    const result = (await build()(
      httpEvent({ routeKey, pathParameters, query }),
      lambdaContext(),
    )) as HttpResult;
    return { status: result.statusCode, body: JSON.parse(String(result.body)) };
  };
