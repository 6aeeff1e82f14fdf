import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageStack } from '../local-cloud/src/topology/package-stack';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'one-address-'));

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** The HTTP routes of docs/API.md's tables, but the local-only ones: `GET /api/v1/posts/{postId}`. */
const contractRoutes = (): { method: string; path: string }[] => {
  const api = readFileSync(join(root, 'docs', 'API.md'), 'utf8');
  const deployed = api.slice(0, api.indexOf('### local only'));
  return [...deployed.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)/gm)].map((match) => ({
    method: match[1] ?? '',
    path: match[2] ?? '',
  }));
};

/** CloudFront's path pattern: `*` any run of characters (slashes too), `?` one character. */
const matchesPathPattern = (pattern: string, path: string) =>
  new RegExp(
    `^${pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  ).test(path);

const services = ['posts', 'comments', 'connections'] as const;
let hosting: Template;
const serviceTemplates = new Map<string, Template>();

beforeAll(async () => {
  const [hostingTemplate, ...templates] = await Promise.all([
    packageStack<Template>(join(root, 'hosting'), join(work, 'hosting')),
    ...services.map((service) =>
      packageStack<Template>(join(root, 'services', service), join(work, service)),
    ),
  ]);
  hosting = hostingTemplate as Template;
  services.forEach((service, index) => {
    serviceTemplates.set(service, templates[index] as Template);
  });
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const distribution = () => {
  const resource = Object.values(hosting.Resources).find((r) => r.Type === 'AWS::CloudFront::Distribution');
  return resource?.Properties?.DistributionConfig as {
    Origins: { Id: string; DomainName: unknown; S3OriginConfig?: unknown }[];
    DefaultCacheBehavior: { TargetOriginId: string };
    CacheBehaviors: { PathPattern: string; TargetOriginId: string; AllowedMethods: string[] }[];
  };
};

const exportsOf = (template: Template) =>
  Object.entries(template.Outputs ?? {}).flatMap(([key, output]) =>
    typeof output.Export?.Name === 'string' ? [{ key, name: output.Export.Name }] : [],
  );

/** The service whose export an origin's domain name imports (`{ApiId}.execute-api...` with Fn::ImportValue). */
const serviceOfOrigin = (originId: string) => {
  const origin = distribution().Origins.find((candidate) => candidate.Id === originId);
  const imported = JSON.stringify(origin?.DomainName ?? '').match(/"Fn::ImportValue":"([^"]+)"/)?.[1];
  if (!imported) return undefined;
  return services.find((service) =>
    exportsOf(serviceTemplates.get(service) as Template).some(
      ({ key, name }) => key === 'HttpApiId' && name === imported,
    ),
  );
};

const routeKeysOf = (template: Template) =>
  Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map((resource) => String(resource.Properties?.RouteKey));

describe('one address per stage', () => {
  it('reaches every HTTP route of docs/API.md under the distribution, at the service declaring it', () => {
    const routes = contractRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(16);
    const { CacheBehaviors, DefaultCacheBehavior } = distribution();
    for (const { method, path } of routes) {
      const sample = path.replace(/\{[^}]+\}/g, '01JD2Q3X8ZK4V6T9M0N5P7R1S3');
      const behaviour = CacheBehaviors.find(({ PathPattern }) => matchesPathPattern(PathPattern, sample));
      const where = `${method} ${path} (as ${sample})`;
      expect(behaviour, `${where} falls through to the web app`).toBeDefined();
      expect(behaviour?.AllowedMethods, where).toContain(method);
      const service = serviceOfOrigin(behaviour?.TargetOriginId ?? DefaultCacheBehavior.TargetOriginId);
      expect(
        service,
        `${where}: origin ${behaviour?.TargetOriginId} imports no service's HttpApiId`,
      ).toBeDefined();
      expect(
        routeKeysOf(serviceTemplates.get(service ?? '') as Template),
        `${where} -> ${service}`,
      ).toContain(`${method} ${path}`);
    }
  });

  it('sends everything else to the web app, from a bucket only the distribution reads', () => {
    const { DefaultCacheBehavior, Origins } = distribution();
    const web = Origins.find((origin) => origin.Id === DefaultCacheBehavior.TargetOriginId);
    expect(web?.S3OriginConfig).toBeDefined();
    expect(JSON.stringify(web)).toContain('OriginAccessControlId');
    const bucket = hosting.Resources.WebBucket;
    expect(bucket?.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = hosting.Resources.WebBucketPolicy;
    const document = policy?.Properties?.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(JSON.stringify(statement.Condition)).toContain(':distribution/');
    }
  });

  it('hands the web app the WebSocket URL the connections stack exports', () => {
    const imported = JSON.stringify(hosting.Outputs?.WebSocketUrl?.Value).match(
      /"Fn::ImportValue":"([^"]+)"/,
    )?.[1];
    const connections = exportsOf(serviceTemplates.get('connections') as Template);
    expect(connections.find(({ key }) => key === 'WebSocketUrl')?.name).toBe(imported);
  });
});
