/**
 * The params serverless-compose.yml passes a service, resolved as compose
 * resolves them: `${sls:stage}`, and `${<service>.<Output>}`, the named
 * output of another stack of the compose file (deployed before it). What
 * `npm run deploy` passes each `serverless deploy` as `--param`, since it runs
 * them itself rather than through compose.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Stack } from '../stacks';
import { OpsError, stackNameOf } from './aws-stacks';

export type OutputOf = (service: string, output: string) => Promise<string>;

const REFERENCE = /\$\{([\w-]+)[.:]([\w-]+)\}/g;

/** `--param=<name>=<value>` for each param compose gives the stack. */
export const composeParams = async (stack: Stack, stage: string, outputOf: OutputOf): Promise<string[]> => {
  const options: string[] = [];
  for (const [name, template] of Object.entries(stack.params ?? {})) {
    let value = String(template);
    for (const [whole, source, key] of String(template).matchAll(REFERENCE)) {
      const resolved =
        source === 'sls' && key === 'stage' ? stage : await outputOf(source as string, key as string);
      value = value.replace(whole, resolved);
    }
    options.push(`--param=${name}=${value}`);
  }
  return options;
};

/** Outputs read from the deployed stacks, each stack asked once. */
export const stackOutputs = (cfn: CloudFormationClient, all: Stack[], stage: string): OutputOf => {
  const asked = new Map<string, Promise<Map<string, string>>>();
  return async (service, output) => {
    const stack = all.find((one) => one.name === service);
    if (!stack)
      throw new OpsError(`serverless-compose.yml names ${service}, which is not one of its services.`);
    const stackName = stackNameOf(stack, stage);
    if (!asked.has(stackName))
      asked.set(
        stackName,
        cfn
          .send(new DescribeStacksCommand({ StackName: stackName }))
          .then(
            (answer) =>
              new Map(
                (answer.Stacks?.[0]?.Outputs ?? []).map((one) => [
                  one.OutputKey ?? '',
                  one.OutputValue ?? '',
                ]),
              ),
          ),
      );
    const value = (await asked.get(stackName))?.get(output);
    if (value === undefined)
      throw new OpsError(`${stackName} has no output ${output} (is ${service} deployed?).`);
    return value;
  };
};
