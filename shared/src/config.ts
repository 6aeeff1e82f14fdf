import type { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Reads a function's configuration from the environment and validates it.
 * Call it at module scope so a misconfigured function fails at cold start,
 * with every missing or invalid variable named, instead of on some request.
 */
export const loadConfig = <S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> => {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  return result.data;
};

/** Memoizes a factory, so config and clients are built once per container, on first use. */
export const once = <T>(factory: () => T): (() => T) => {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = factory();
      built = true;
    }
    return value as T;
  };
};
