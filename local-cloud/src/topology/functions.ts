/** The stack's Lambda functions: handler, resolved environment (provider, then function), timeout, memory. */

import type { FunctionDef } from './model';
import { isRecord, lambdaLogicalId, numberOr, record, type StackContext } from './stack';

export function functionsOf(context: StackContext): FunctionDef[] {
  const { stack, stackService, stage, provider, functionsConfig, functionNames, resolver } = context;
  const providerEnvironment = record(resolver.resolve(provider.environment ?? {}, 'provider.environment'));
  return Object.entries(functionsConfig).map(([name, fnValue]) => {
    const fn = record(fnValue);
    const path = `functions.${name}`;
    const environment: Record<string, string> = {};
    const functionEnvironment = record(resolver.resolve(fn.environment ?? {}, `${path}.environment`));
    for (const [key, value] of Object.entries({ ...providerEnvironment, ...functionEnvironment })) {
      if (isRecord(value) || Array.isArray(value)) {
        throw new Error(`${stackService}: ${path}.environment.${key} does not resolve to a string`);
      }
      environment[key] = String(value);
    }
    if (typeof fn.handler !== 'string') {
      throw new Error(
        `${stackService}: ${path}.handler is missing (image functions are not supported locally)`,
      );
    }
    const reserved = resolver.resolve(fn.reservedConcurrency, `${path}.reservedConcurrency`);
    const reservedConcurrency = numberOr(reserved, Number.NaN);
    if (reserved !== undefined && !(Number.isInteger(reservedConcurrency) && reservedConcurrency >= 0)) {
      throw new Error(
        `${stackService}: ${path}.reservedConcurrency must be a whole number, not ${String(reserved)}`,
      );
    }
    return {
      key: `${stack.service}.${name}`,
      service: stack.service,
      stack: stackService,
      name,
      functionName: functionNames[lambdaLogicalId(name)] ?? `${stackService}-${stage}-${name}`,
      handler: fn.handler,
      serviceDir: stack.dir,
      environment,
      timeoutSeconds: numberOr(fn.timeout, numberOr(provider.timeout, 6)),
      memorySize: numberOr(fn.memorySize, numberOr(provider.memorySize, 1024)),
      ...(reserved !== undefined ? { reservedConcurrency } : {}),
    };
  });
}
