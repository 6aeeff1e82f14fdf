import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from '../stacks';
import { checkWorkflows, WORKFLOWS_DIR, workflowFiles, workflowProblems } from './workflows';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  with?: Record<string, unknown>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** A GitHub expression as the YAML writes it. */
const expression = (inner: string) => ['$', `{{ ${inner} }}`].join('');

const workflow = (name: string): Workflow =>
  parse(readFileSync(join(WORKFLOWS_DIR, name), 'utf8')) as Workflow;

describe('the workflows', () => {
  it('are valid GitHub Actions workflows (action-validator, GitHub schema)', () => {
    const files = workflowFiles();
    expect(files.map((file) => basename(file))).toEqual(['checks.yml', 'deploy-stage.yml', 'deploy.yml']);
    for (const { file, problems } of checkWorkflows(files)) expect(problems, file).toEqual([]);
  });

  it('are refused when broken: a misspelt key, a bad permission, an unknown event, a step both run and uses', () => {
    const text = readFileSync(join(WORKFLOWS_DIR, 'deploy-stage.yml'), 'utf8');
    expect(workflowProblems(text.replace('runs-on:', 'runs_on:'))).toContain(
      "/jobs/deploy: Property conditions are not met (Additional property 'runs_on' is not allowed)",
    );
    expect(workflowProblems(text.replace('id-token: write', 'id-token: writ'))).toContain(
      '/jobs/deploy/permissions/id-token: Enum conditions are not met',
    );
    const job = (steps: string) =>
      `name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n${steps}`;
    expect(workflowProblems(job('      - run: echo ok\n'))).toEqual([]);
    expect(workflowProblems(job('      - run: echo ok\n').replace('on: push', 'on: pushh'))).not.toEqual([]);
    expect(workflowProblems(job('      - uses: actions/checkout@v4\n        run: echo ok\n'))).not.toEqual(
      [],
    );
  });

  it('hold no AWS keys: every AWS access is an OIDC role assumption by a job allowed an id token', () => {
    for (const file of workflowFiles()) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(
        /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\.AWS/,
      );
      const { jobs, permissions } = parse(text) as Workflow;
      expect(permissions?.['id-token'], `${file}: id-token at the workflow level`).toBeUndefined();
      for (const [name, job] of Object.entries(jobs)) {
        const assumes = (job.steps ?? []).filter((step) =>
          step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        );
        for (const step of assumes) {
          expect(step.with?.['role-to-assume'], `${file} ${name}`).toBe(
            expression('vars.AWS_DEPLOY_ROLE_ARN'),
          );
          expect(job.permissions?.['id-token'], `${file} ${name}`).toBe('write');
          expect(job.environment, `${file} ${name}: the trust policy wants an environment`).toBeDefined();
        }
        if (assumes.length === 0 && !job.uses)
          expect(job.permissions?.['id-token'], `${file} ${name}`).toBeUndefined();
      }
    }
  });

  it('check pull requests as .ci/run does, and package every stack with cfn-lint', () => {
    const checks = workflow('checks.yml');
    expect(Object.keys(checks.on).sort()).toEqual(['pull_request', 'workflow_call']);
    const runs = Object.values(checks.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? ''));
    expect(runs).toContain('bash .ci/run');
    expect(runs).toContain('pip install cfn-lint');
    expect(runs.some((run) => run.startsWith('npm run package'))).toBe(true);
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toContain('npm test');
  });

  it('deploy main: the checks, then staging, then production, each in its GitHub environment', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on).toHaveProperty('push', { branches: ['main'] });
    const { checks, staging, production } = deploy.jobs;
    expect(checks?.uses).toBe('./.github/workflows/checks.yml');
    expect([staging?.needs, staging?.with]).toEqual(['checks', { stage: 'staging' }]);
    expect([production?.needs, production?.with]).toEqual(['staging', { stage: 'production' }]);
    const stage = workflow('deploy-stage.yml').jobs.deploy;
    expect(stage?.environment).toBe(expression('inputs.stage'));
    const runs = (stage?.steps ?? []).map((step) => step.run ?? '');
    expect(runs).toContain('npm run deploy -- --stage "$STAGE"');
    const deployStep = stage?.steps?.find((step) => step.run?.startsWith('npm run deploy'));
    expect(Object.keys(deployStep?.env ?? {}).sort()).toEqual([
      'ALLOWED_ORIGINS',
      'JWT_AUDIENCE',
      'JWT_ISSUER',
      'LOG_LEVEL',
    ]);
  });
});
