import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { root } from '../stacks';

/** CloudFormation's short forms, kept as `{ '!Sub': value }` so the test can read them. */
const customTags: Tags = ['Ref', 'Sub', 'GetAtt', 'Equals', 'If'].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: unknown) => ({ [`!${name}`]: value }) },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (value: unknown) => ({ [`!${name}`]: value }) },
]);

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
type Resource = { Type: string; Properties: Record<string, unknown> };

const template = parse(readFileSync(join(root, 'deploy', 'bootstrap', 'github-oidc.yml'), 'utf8'), {
  customTags,
}) as { Parameters: Record<string, unknown>; Resources: Record<string, Resource> };

/** A `!Sub` of CloudFormation placeholders, written `#{Name}` here (a `${` in a string reads as a slip to the linter). */
const sub = (text: string) => ({ '!Sub': text.replaceAll('#{', '${') });

const statementsOf = (resource: Resource | undefined) =>
  ((resource?.Properties.PolicyDocument as { Statement: Statement[] }) ?? { Statement: [] }).Statement;

describe('the bootstrap template (deploy/bootstrap/github-oidc.yml)', () => {
  it('lets only this repository assume the deploy role, from its two environments, with an OIDC token', () => {
    expect(Object.keys(template.Parameters)).toEqual(
      expect.arrayContaining(['GitHubRepository', 'StagingStage', 'ProductionStage']),
    );
    const [trust] = statementsOf({
      Type: 'AWS::IAM::Role',
      Properties: { PolicyDocument: template.Resources.DeployRole?.Properties.AssumeRolePolicyDocument },
    });
    expect(trust?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust?.Condition?.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': [
        sub('repo:#{GitHubRepository}:environment:#{StagingStage}'),
        sub('repo:#{GitHubRepository}:environment:#{ProductionStage}'),
      ],
    });
    expect(template.Resources.GitHubOidcProvider?.Properties.Url).toBe(
      'https://token.actions.githubusercontent.com',
    );
  });

  it('grants no service wholesale, scopes the roles it may create and pass to the name prefix and to Lambda', () => {
    const statements = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap(statementsOf);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of [statement.Action].flat())
        expect(action, statement.Sid).not.toMatch(/(^\*$|:\*$)/);
    }
    const iam = statements.filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('iam:')),
    );
    for (const statement of iam)
      expect(statement.Resource, statement.Sid).toEqual(
        sub('arn:#{AWS::Partition}:iam::#{AWS::AccountId}:role/#{NamePrefix}-*'),
      );
    const pass = statements.find((statement) => statement.Action === 'iam:PassRole');
    expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
    const services = new Set(
      statements.flatMap((statement) => [statement.Action].flat().map((action) => action.split(':')[0])),
    );
    expect([...services].sort()).toEqual([
      'apigateway',
      'cloudformation',
      'cloudfront',
      'cloudwatch',
      'dynamodb',
      'events',
      'iam',
      'lambda',
      'logs',
      's3',
      'sns',
      'sqs',
    ]);
  });
});
