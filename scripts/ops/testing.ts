import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** Scripts DescribeStacks of one deployed stack (UPDATE_COMPLETE) with these outputs (tests only). */
export const deployedStack = (
  cfnMock: AwsClientStub<CloudFormationClient>,
  stackName: string,
  outputs: Record<string, string>,
) =>
  cfnMock.on(DescribeStacksCommand, { StackName: stackName }).resolves({
    Stacks: [
      {
        StackName: stackName,
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: Object.entries(outputs).map(
          ([OutputKey, OutputValue]): Output => ({ OutputKey, OutputValue }),
        ),
      },
    ],
  });
