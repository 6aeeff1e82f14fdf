export {
  type HttpGateway,
  type HttpGatewayMetrics,
  type HttpGatewayOptions,
  startHttpGateway,
} from './http-gateway';
export { createJwtAuthorizer, type JwtAuthorization, type JwtAuthorizer } from './jwt-authorizer';
export {
  createLocalIssuer,
  DEFAULT_AUDIENCE,
  type IssueTokenInput,
  type LocalIssuer,
  type LocalIssuerOptions,
} from './jwt-issuer';
export {
  type ManagementFault,
  noWebSocketMetrics,
  startWebSocketGateway,
  type WebSocketConnectionInfo,
  type WebSocketGateway,
  type WebSocketGatewayMetrics,
  type WebSocketGatewayOptions,
} from './websocket-gateway';
