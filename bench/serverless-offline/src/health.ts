export { handler } from '../../../services/posts/src/handlers/health';
