import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write that did not apply: expected on the paths that check ownership or existence. */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException;

/** `#name` placeholders for every attribute an expression mentions, so no name can collide with a reserved word. */
export const names = (...attributes: string[]): Record<string, string> =>
  Object.fromEntries(attributes.map((attribute) => [`#${attribute}`, attribute]));
