/**
 * What the EventBridge emulator's API and its delivery share: buses, their
 * rules and targets, the event envelope, and the AWS JSON error.
 */

import type { CompiledPattern } from './pattern';

/** An error in the AWS JSON protocol shape (`__type` + `message`). */
export class EventBridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'EventBridgeError';
  }
}

export interface TargetSpec {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface Rule {
  name: string;
  arn: string;
  busName: string;
  eventPattern?: string;
  compiled?: CompiledPattern;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: Map<string, TargetSpec>;
}

export interface Bus {
  name: string;
  arn: string;
  rules: Map<string, Rule>;
}

export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** AWS writes event times with second precision: `2024-01-01T00:00:00Z`. */
export const formatEventTime = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
