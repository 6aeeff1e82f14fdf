/**
 * Who may call the local cloud's AWS APIs: each function of the topology has
 * credentials of its own (an access key id, a secret and a session token,
 * random at every start, as Lambda hands a function its role's temporary
 * credentials), mapped to its execution role's compiled policies; the account
 * admin `test` / `test` (the test harness, scripts, aws-cli) may do anything,
 * as LocalStack's default. Resource policies (event bus policies) are kept
 * here too. Policies are compiled once, at registration.
 */

import { randomBytes } from 'node:crypto';
import type { Topology } from '../topology/model';
import { type AuthorizationRequest, type Decision, deniedMessage, evaluate } from './evaluate';
import { type CallerPrincipal, type CompiledStatement, compilePolicy } from './policy';
import { createSignatureVerifier, type IncomingSignedRequest, type Secret, type Verification } from './sigv4';

/** The account admin's key pair: what the test harness, the scripts and the README's aws-cli use. */
export const ADMIN_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export type Identity =
  | { kind: 'admin' }
  | {
      kind: 'function';
      functionKey: string;
      principal: CallerPrincipal;
      /** The role's statements; empty for a role outside the stacks. */
      statements: readonly CompiledStatement[];
    };

export interface FunctionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface Refusal {
  request: AuthorizationRequest;
  reason: Exclude<Decision, { allowed: true }>['reason'];
  /** See Decision: empty when the request's own keys (an event's source...) played no part. */
  conditionKeys: readonly string[];
  principal: CallerPrincipal;
}

export interface IamRegistry {
  readonly region: string;
  readonly accountId: string;
  /** Gives every function of the topology credentials for its role, and records the buses' policies. */
  register(topology: Topology): void;
  credentialsOf(functionKey: string): FunctionCredentials;
  /** The identity a function's credentials stand for. */
  identityOf(functionKey: string): Identity;
  /** Checks the request's SigV4 signature; the caller's identity if it verifies. */
  verify(request: IncomingSignedRequest, now?: number): Promise<Verification<Identity>>;
  /** The first request the identity may not make (the admin may make any), or undefined. */
  authorize(identity: Identity, requests: readonly AuthorizationRequest[]): Refusal | undefined;
  /** AWS's wording for a refusal (see deniedMessage). */
  message(refusal: Refusal, options?: { lowerCaseAction?: boolean; withReason?: boolean }): string;
}

/** `ASIA` + 16 characters of [A-Z2-7], like STS's temporary key ids. */
const accessKeyId = () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `ASIA${[...randomBytes(16)].map((byte) => alphabet[byte % 32]).join('')}`;
};

export function createIamRegistry(options: { region: string; accountId: string }): IamRegistry {
  const { region, accountId } = options;
  const identities = new Map<string, { secret: Secret; identity: Identity }>([
    [ADMIN_CREDENTIALS.accessKeyId, { secret: { ...ADMIN_CREDENTIALS }, identity: { kind: 'admin' } }],
  ]);
  const byFunction = new Map<string, FunctionCredentials>();
  const busPolicies = new Map<string, CompiledStatement[]>();
  const verify = createSignatureVerifier((key) => identities.get(key));

  return {
    region,
    accountId,
    register(topology) {
      const roles = new Map((topology.roles ?? []).map((role) => [role.arn, role]));
      const compiled = new Map<string, CompiledStatement[]>();
      for (const fn of topology.functions) {
        const roleArn = fn.roleArn ?? `arn:aws:iam::${accountId}:role/${fn.functionName}-role`;
        const role = roles.get(roleArn);
        let statements = compiled.get(roleArn);
        if (!statements) {
          try {
            statements = role ? compilePolicy(role.statements, { resourcePolicy: false }) : [];
          } catch (error) {
            throw new Error(`${fn.key}: role ${roleArn}: ${error instanceof Error ? error.message : error}`);
          }
          compiled.set(roleArn, statements);
        }
        const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
        const credentials: FunctionCredentials = {
          accessKeyId: accessKeyId(),
          secretAccessKey: randomBytes(30).toString('base64'),
          sessionToken: randomBytes(96).toString('base64'),
        };
        byFunction.set(fn.key, credentials);
        identities.set(credentials.accessKeyId, {
          secret: credentials,
          identity: {
            kind: 'function',
            functionKey: fn.key,
            principal: {
              roleArn,
              sessionArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${fn.functionName}`,
              accountId,
            },
            statements,
          },
        });
      }
      for (const bus of topology.buses) {
        if (!bus.policy) continue;
        try {
          busPolicies.set(bus.arn, compilePolicy(bus.policy, { resourcePolicy: true }));
        } catch (error) {
          throw new Error(`event bus ${bus.name} policy: ${error instanceof Error ? error.message : error}`);
        }
      }
    },
    credentialsOf(functionKey) {
      const credentials = byFunction.get(functionKey);
      if (!credentials) throw new Error(`No credentials for ${functionKey}: not a function of the topology`);
      return credentials;
    },
    identityOf(functionKey) {
      const identity = identities.get(this.credentialsOf(functionKey).accessKeyId)?.identity;
      if (!identity) throw new Error(`No identity for ${functionKey}`);
      return identity;
    },
    verify: (request, now) => verify(request, now),
    authorize(identity, requests) {
      if (identity.kind === 'admin') return undefined;
      for (const request of requests) {
        const resourcePolicy = request.resource.includes(':event-bus/')
          ? (busPolicies.get(request.resource) ?? [])
          : [];
        const decision = evaluate(identity.principal, identity.statements, resourcePolicy, request);
        if (!decision.allowed) {
          return {
            request,
            reason: decision.reason,
            conditionKeys: decision.conditionKeys,
            principal: identity.principal,
          };
        }
      }
      return undefined;
    },
    message: (refusal, messageOptions) =>
      deniedMessage(refusal.principal, refusal.request, refusal.reason, messageOptions),
  };
}
