/**
 * `npm run info [-- --stage <stage>] [--json]`: every endpoint, function (and
 * its log group), table, queue with its DLQ, rule, alarm topic, dashboard URL
 * and alarm of a stage, in compose order. The default stage, local, is read
 * from the running local cloud (`GET /_local/info`, on LC_HTTP_PORT); any
 * other from CloudFormation with the SDK's usual credentials and region
 * (AWS_PROFILE, AWS_REGION, or `.env.<stage>`). The seed's `serverless info`.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudInfo } from '../local-cloud/src/info';
import { applyStageEnv } from '../local-cloud/src/stage-env';
import { awsInfo } from './ops/aws-stacks';
import { runCommand } from './ops/cli';
import { localGet } from './ops/log-sources';
import { renderInfo } from './ops/render';
import { stacks } from './stacks';

const USAGE = 'usage: npm run info -- [--stage <stage>] [--json]   (stage local: the running local cloud)';

const main = async () => {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'local' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const stage = values.stage ?? 'local';
  applyStageEnv(stage);
  let info: CloudInfo;
  if (stage === 'local') {
    info = await localGet<CloudInfo>(`http://localhost:${process.env.LC_HTTP_PORT ?? 8000}`, '/_local/info');
    const order = stacks().map((stack) => stack.name);
    info.stacks.sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service));
  } else {
    const cfn = new CloudFormationClient({});
    try {
      info = await awsInfo(cfn, stage, stacks(), await cfn.config.region());
    } finally {
      cfn.destroy();
    }
  }
  process.stdout.write(values.json ? `${JSON.stringify(info, null, 2)}\n` : renderInfo(info));
};

runCommand(main, USAGE);
