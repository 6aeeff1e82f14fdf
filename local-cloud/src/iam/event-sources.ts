/**
 * Lambda's check when an SQS event source mapping is created: the function's
 * execution role must allow sqs:ReceiveMessage, sqs:DeleteMessage and
 * sqs:GetQueueAttributes on the queue, or CreateEventSourceMapping (and so
 * the deploy) fails. Locally the pollers read the queues in process, not
 * through the edge, so the role is checked once, at start.
 */

import type { Topology } from '../topology/model';
import type { IamRegistry } from './registry';

const MAPPING_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** One line per mapping whose function's role lacks what Lambda needs (empty when all may poll). */
export function eventSourceRoleProblems(topology: Topology, iam: IamRegistry): string[] {
  const problems: string[] = [];
  for (const source of topology.sqsEventSources) {
    const identity = iam.identityOf(source.functionKey);
    const refused = iam.authorize(
      identity,
      MAPPING_ACTIONS.map((action) => ({ action, resource: source.queueArn })),
    );
    if (refused) {
      const action = refused.request.action.replace(/^sqs:/, '');
      problems.push(
        `${source.functionKey}: the SQS event source ${source.queueArn} cannot be created: ` +
          `the provided execution role does not have permissions to call ${action} on SQS (${refused.principal.roleArn})`,
      );
    }
  }
  return problems;
}
