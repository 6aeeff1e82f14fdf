export {
  busArn,
  dynamoDbRequests,
  eventBridgeRequests,
  manageConnectionsRequest,
  queueArnOfUrl,
  sqsRequests,
} from './actions';
export { type AuthorizationRequest, type Decision, deniedMessage, evaluate } from './evaluate';
export { eventSourceRoleProblems } from './event-sources';
export { type CallerPrincipal, type CompiledStatement, compilePolicy, PolicyError } from './policy';
export {
  ADMIN_CREDENTIALS,
  createIamRegistry,
  type FunctionCredentials,
  type IamRegistry,
  type Identity,
  type Refusal,
} from './registry';
export { createSignatureVerifier, MAX_CLOCK_SKEW_MS, type SignatureFailure } from './sigv4';
