import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { stacks } from '../stacks';
import { composeParams, stackOutputs } from './compose-params';
import { deployedStack } from './testing';

/** A compose reference, written `#{...}` here (a `${` in a plain string reads as a slip to the linter). */
const ref = (text: string) => text.replaceAll('#{', '${');

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});

describe('composeParams', () => {
  it("passes comments the posts stack's HttpApiUrl output, as serverless-compose.yml says", async () => {
    cfnMock.reset();
    deployedStack(cfnMock, 'live-comments-posts-staging', {
      HttpApiUrl: 'https://posts.execute-api.eu-west-1.amazonaws.com',
    });
    const all = stacks();
    const outputOf = stackOutputs(cfn, all, 'staging');
    const comments = all.find((stack) => stack.name === 'comments');
    expect(comments?.params).toEqual({ postsApiUrl: ref('#{posts.HttpApiUrl}') });
    expect(await composeParams(comments as (typeof all)[0], 'staging', outputOf)).toEqual([
      '--param=postsApiUrl=https://posts.execute-api.eu-west-1.amazonaws.com',
    ]);
    const posts = all.find((stack) => stack.name === 'posts');
    expect(await composeParams(posts as (typeof all)[0], 'staging', outputOf)).toEqual([]);
  });

  it('resolves the stage, and names a missing output', async () => {
    const stack = {
      name: 'x',
      dir: '/x',
      params: { busName: ref('live-comments-#{sls:stage}'), url: ref('#{posts.Nope}') },
    };
    const outputOf = async (service: string, output: string) => {
      throw new Error(`${service} has no output ${output}`);
    };
    await expect(composeParams(stack, 'prod', outputOf)).rejects.toThrow('posts has no output Nope');
    expect(
      await composeParams(
        { ...stack, params: { busName: ref('live-comments-#{sls:stage}') } },
        'prod',
        outputOf,
      ),
    ).toEqual(['--param=busName=live-comments-prod']);
  });
});
