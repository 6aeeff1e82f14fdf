import { describe, expect, it } from 'vitest';
import { eventSourceDef, queueArn, queueDef, topologyWith } from '../testing';
import type { FunctionDef, RoleDef } from '../topology/model';
import { createIamRegistry, eventSourceRoleProblems } from '.';

const role = (name: string, statements: unknown[]): RoleDef => ({
  stack: 's',
  logicalId: name,
  name,
  arn: `arn:aws:iam::000000000000:role/${name}`,
  statements,
  managedPolicyArns: [],
});
const worker = (roleName: string): FunctionDef => ({
  key: 's.worker',
  service: 's',
  stack: 's',
  name: 'worker',
  functionName: 's-local-worker',
  handler: 'h.handler',
  serviceDir: '/tmp',
  environment: {},
  timeoutSeconds: 6,
  memorySize: 128,
  roleArn: `arn:aws:iam::000000000000:role/${roleName}`,
});

describe('eventSourceRoleProblems (Lambda’s check when a mapping is created)', () => {
  const problemsWith = (statements: unknown[]) => {
    const topology = topologyWith({
      functions: [worker('worker-role')],
      roles: [role('worker-role', statements)],
      queues: [queueDef('jobs')],
      sqsEventSources: [eventSourceDef('jobs', { functionKey: 's.worker' })],
    });
    const iam = createIamRegistry({ region: 'us-east-1', accountId: '000000000000' });
    iam.register(topology);
    return eventSourceRoleProblems(topology, iam);
  };

  it('passes a role that may receive, delete and read the attributes of the queue', () => {
    expect(
      problemsWith([
        {
          Effect: 'Allow',
          Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          Resource: queueArn('jobs'),
        },
      ]),
    ).toEqual([]);
  });

  it('names the function, the queue and the first missing action otherwise', () => {
    expect(
      problemsWith([{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: queueArn('jobs') }]),
    ).toEqual([
      `s.worker: the SQS event source ${queueArn('jobs')} cannot be created: the provided execution role does not have permissions to call DeleteMessage on SQS (arn:aws:iam::000000000000:role/worker-role)`,
    ]);
  });
});
