/**
 * `npm run rehearse [-- --stage local --param name=value ...]`: a deploy
 * rehearsal. Packages every stack (scripts/package.ts, the same arguments),
 * then deploys each, in serverless-compose.yml's order, into moto's server
 * (`moto_server`, pip install 'moto[server]') the way the framework does:
 * CreateStack with the packaged create template (the deployment bucket), the
 * artefacts uploaded to the keys the update template names, then UpdateStack
 * with the update template. Fails on any failed stack (with CloudFormation's
 * reasons), a missing artefact, or two stacks owning a resource of the same
 * name. moto does not model everything: see the README's Deploy section.
 * Without moto_server it says so and exits 0 (`--require-moto` makes it fail).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Stack as CfnStack,
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { hasMotoServer, MOTO_MISSING_NOTICE, startMotoServer } from '../local-cloud/src/external-edge/moto';
import { root, stacks } from './stacks';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'local' },
    param: { type: 'string', multiple: true },
    'skip-package': { type: 'boolean', default: false },
    'require-moto': { type: 'boolean', default: false },
  },
});
const stage = values.stage ?? 'local';
const region = 'us-east-1';

if (!hasMotoServer()) {
  console.log(`${MOTO_MISSING_NOTICE}: no deploy rehearsal`);
  process.exit(values['require-moto'] ? 1 : 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** Resource types moto's CloudFormation cannot create (it fails the stack on them). */
const UNMODELLED = /^AWS::CloudFront::/;

/**
 * The template moto can deploy: each resource of a type it does not model is
 * taken out, a Ref or GetAtt of it becomes a placeholder string, and each
 * Fn::ImportValue it held becomes an output, so a missing export still fails
 * the stack (the hosting stack deployed before the services).
 */
export const standIn = (template: Template): { template: Template; stoodIn: string[] } => {
  const removed = Object.entries(template.Resources).filter(([, resource]) => UNMODELLED.test(resource.Type));
  if (removed.length === 0) return { template, stoodIn: [] };
  const names = new Set(removed.map(([logicalId]) => logicalId));
  const imports = new Set<string>();
  const collectImports = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collectImports);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Fn::ImportValue' && typeof inner === 'string') imports.add(inner);
        collectImports(inner);
      }
    }
  };
  const replace = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(replace);
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string' && names.has(object.Ref)) return `rehearsal-${object.Ref}`;
    const getAtt = object['Fn::GetAtt'];
    const target = Array.isArray(getAtt)
      ? getAtt[0]
      : typeof getAtt === 'string'
        ? getAtt.split('.')[0]
        : undefined;
    if (typeof target === 'string' && names.has(target)) return `rehearsal-${target}`;
    const sub = object['Fn::Sub'];
    if (typeof sub === 'string') {
      return {
        'Fn::Sub': sub.replace(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g, (all, id: string) =>
          names.has(id) ? `rehearsal-${id}` : all,
        ),
      };
    }
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, replace(inner)]));
  };
  for (const [, resource] of removed) collectImports(resource);
  const kept = Object.fromEntries(Object.entries(template.Resources).filter(([id]) => !names.has(id)));
  const result = replace({ ...template, Resources: kept }) as Template & {
    Outputs?: Record<string, unknown>;
  };
  result.Outputs = { ...result.Outputs };
  [...imports].forEach((name, index) => {
    (result.Outputs as Record<string, unknown>)[`RehearsalImport${index}`] = {
      Value: { 'Fn::ImportValue': name },
    };
  });
  return { template: result, stoodIn: removed.map(([id, resource]) => `${id} (${resource.Type})`) };
};

if (!values['skip-package']) {
  const params = (values.param ?? []).flatMap((param) => ['--param', param]);
  const packaged = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts', 'package.ts'), '--stage', stage, ...params],
    { stdio: 'inherit', cwd: root },
  );
  if (packaged.status !== 0) process.exit(packaged.status ?? 1);
}

// moto's own log keeps its tracebacks: the last one is printed when it answers a 500 (something it does not model).
const moto = await startMotoServer();
const endpoint = moto.url;
const stopMoto = () => moto.stop();

const clientConfig = { region, endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const cloudFormation = new CloudFormationClient(clientConfig);
const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });

/** Waits for the stack's operation to end; throws with the failed resources' reasons. */
const settle = async (stackName: string): Promise<CfnStack> => {
  for (;;) {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    const status = stack?.StackStatus ?? '';
    if (status.endsWith('_IN_PROGRESS')) {
      await sleep(200);
      continue;
    }
    if (status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE') return stack as CfnStack;
    const { StackEvents } = await cloudFormation.send(
      new DescribeStackEventsCommand({ StackName: stackName }),
    );
    const reasons = (StackEvents ?? [])
      .filter((event) => event.ResourceStatus?.endsWith('_FAILED'))
      .map((event) => `  ${event.LogicalResourceId} (${event.ResourceType}): ${event.ResourceStatusReason}`);
    throw new Error(`${stackName}: ${status} ${stack?.StackStatusReason ?? ''}\n${reasons.join('\n')}`);
  }
};

/**
 * moto registers the exports of a CreateStack but not of an UpdateStack (the
 * framework's way), so the rehearsal keeps the exports itself, from each
 * stack's outputs, and puts their values in place of Fn::ImportValue: an
 * import no earlier stack exported fails as it would on AWS.
 */
const exported = new Map<string, string>();
const resolveImports = (value: unknown, stackName: string): unknown => {
  if (Array.isArray(value)) return value.map((inner) => resolveImports(inner, stackName));
  if (!value || typeof value !== 'object') return value;
  const name = (value as Record<string, unknown>)['Fn::ImportValue'];
  if (typeof name === 'string') {
    const found = exported.get(name);
    if (found === undefined)
      throw new Error(`${stackName} imports ${name}, which no stack deployed before it exports`);
    return found;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, resolveImports(inner, stackName)]),
  );
};

const failures: string[] = [];
const owners = new Map<string, string>();
try {
  for (const stack of stacks()) {
    const out = join(stack.dir, '.serverless');
    const state = readJson<{ service: { service: string } }>(join(out, 'serverless-state.json'));
    const stackName = `${state.service.service}-${stage}`;
    const started = Date.now();
    try {
      await cloudFormation.send(
        new CreateStackCommand({
          StackName: stackName,
          TemplateBody: readFileSync(join(out, 'cloudformation-template-create-stack.json'), 'utf8'),
        }),
      );
      const created = await settle(stackName);
      const bucket = created.Outputs?.find(
        (o) => o.OutputKey === 'ServerlessDeploymentBucketName',
      )?.OutputValue;
      if (!bucket) throw new Error(`${stackName}: the create template made no deployment bucket`);

      const packaged = readJson<Template>(join(out, 'cloudformation-template-update-stack.json'));
      const { template, stoodIn } = standIn(packaged);
      if (stoodIn.length > 0)
        console.log(`${stackName}: moto does not model ${stoodIn.join(', ')}: stood in`);
      const updateBody = JSON.stringify(resolveImports(template, stackName));
      const keys = new Set(
        Object.values(template.Resources).flatMap((resource) => {
          const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
          return resource.Type === 'AWS::Lambda::Function' && typeof key === 'string' ? [key] : [];
        }),
      );
      for (const key of keys) {
        const artefact = join(out, basename(key));
        if (!existsSync(artefact))
          throw new Error(`${stackName}: missing artefact ${basename(key)} (${key})`);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(artefact) }));
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      }
      await cloudFormation.send(
        new UpdateStackCommand({
          StackName: stackName,
          TemplateBody: updateBody,
          Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        }),
      );
      const updated = await settle(stackName);
      // An output of a resource moto skips (API Gateway v2) is missing from moto's answer:
      // the export is still the stack's, with a placeholder value.
      const declared =
        (packaged as { Outputs?: Record<string, { Export?: { Name?: unknown } }> }).Outputs ?? {};
      for (const [key, output] of Object.entries(declared)) {
        if (typeof output.Export?.Name === 'string') exported.set(output.Export.Name, `rehearsal-${key}`);
      }
      for (const output of updated.Outputs ?? []) {
        if (output.ExportName && output.OutputValue !== undefined)
          exported.set(output.ExportName, output.OutputValue);
      }

      const { StackResourceSummaries } = await cloudFormation.send(
        new ListStackResourcesCommand({ StackName: stackName }),
      );
      for (const resource of StackResourceSummaries ?? []) {
        if (!resource.PhysicalResourceId || resource.ResourceType === 'AWS::CloudFormation::Stack') continue;
        const name = `${resource.ResourceType} ${resource.PhysicalResourceId}`;
        const other = owners.get(name);
        if (other && other !== stackName) failures.push(`${name} belongs to both ${other} and ${stackName}`);
        owners.set(name, stackName);
      }
      console.log(
        `rehearsed ${stackName}: ${keys.size} artefacts, ${StackResourceSummaries?.length ?? 0} resources (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    } catch (error) {
      const raw = (error as { $response?: { statusCode?: number; body?: unknown } }).$response;
      const traceback = moto.lastTraceback();
      const status = raw?.statusCode ? ` (moto answered ${raw.statusCode}; its log ends:\n${traceback})` : '';
      failures.push(`${stackName}${status}: ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
  }
} finally {
  await stopMoto();
}

if (failures.length > 0) {
  console.error(`deploy rehearsal failed:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`deploy rehearsal: every stack of stage ${stage} deployed into moto`);
