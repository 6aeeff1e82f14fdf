export {
  connectExternalEdge,
  differences,
  type ExternalEdge,
  type ExternalEdgeHealth,
  type ExternalEdgeOptions,
  type ExternalEdgeProduct,
  MOTO_AWS_ENVELOPE,
} from './external-edge';
export { hasMotoServer, MOTO_MISSING_NOTICE, type MotoServer, startMotoServer } from './moto';
