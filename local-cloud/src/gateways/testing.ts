import type { InvokeResult, LambdaInvoker } from '../lambda/invoker';
import type { HttpRouteDef, Topology } from '../topology/model';

/** Test helpers: a recording fake Lambda invoker and a minimal topology. */

export interface FakeInvoker extends LambdaInvoker {
  calls: { functionKey: string; event: unknown }[];
}

export type FakeBehaviour = (event: unknown, functionKey: string) => unknown;

/** Answers with what `behaviour` returns; a thrown error becomes a function error, as the runtime reports it. */
export const fakeInvoker = (behaviours: Record<string, FakeBehaviour> = {}): FakeInvoker => {
  const calls: FakeInvoker['calls'] = [];
  return {
    calls,
    async invoke(functionKey, event): Promise<InvokeResult> {
      calls.push({ functionKey, event });
      const behaviour = behaviours[functionKey];
      try {
        const result = behaviour ? await behaviour(event, functionKey) : { statusCode: 200 };
        return { ok: true, result, durationMs: 1 };
      } catch (error) {
        return {
          ok: false,
          error: { errorType: 'Error', errorMessage: error instanceof Error ? error.message : String(error) },
          timedOut: false,
          durationMs: 1,
        };
      }
    },
  };
};

export const topologyWith = (parts: Partial<Topology>): Topology => ({
  region: 'us-east-1',
  accountId: '000000000000',
  stage: 'local',
  functions: [],
  httpApis: [],
  httpRoutes: [],
  webSocketApis: [],
  tables: [],
  queues: [],
  buses: [],
  rules: [],
  sqsEventSources: [],
  schedules: [],
  ...parts,
});

export const route = (
  method: string,
  path: string,
  functionKey: string,
  extra: Partial<HttpRouteDef> = {},
) => ({
  apiId: 'api',
  method,
  path,
  routeKey: path === '*' ? '$default' : `${method} ${path}`,
  functionKey,
  ...extra,
});

/** The sorted keys of an object, for comparing an event's shape with a recording's. */
export const keysOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value).sort() : [];
