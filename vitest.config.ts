import { defineConfig } from 'vitest/config';

// Three projects: unit tests sit beside the code and never touch the network;
// integration tests (tests/integration) start the real local cloud on free ports;
// browser tests (tests/browser) drive the web app on such a cloud in headless Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{shared,events,services,local-cloud,scripts,client,react,web}/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', '**/*.integration.test.ts'],
          environment: 'node',
          // Powertools stays quiet and offline in unit tests (no X-Ray daemon here).
          // The services' variables are set as serverless.yml sets them, because a
          // handler module loads its configuration when it is imported (cold start);
          // tests pass fakes, so no call reaches these names.
          env: {
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            POWERTOOLS_TRACE_ENABLED: 'false',
            POWERTOOLS_METRICS_DISABLED: 'true',
            AWS_REGION: 'us-east-1',
            STAGE: 'test',
            EVENT_BUS_NAME: 'live-comments-test',
            POSTS_TABLE: 'test-posts',
            FAVORITES_TABLE: 'test-favorites',
            COUNTED_COMMENTS_TABLE: 'test-posts-counted-comments',
            COMMENTS_TABLE: 'test-comments',
            KNOWN_POSTS_TABLE: 'test-comments-known-posts',
            POSTS_API_URL: 'https://posts-api.execute-api.us-east-1.amazonaws.com',
            IDEMPOTENCY_TABLE: 'test-idempotency',
            CONNECTIONS_TABLE: 'test-connections',
            SUBSCRIPTIONS_TABLE: 'test-subscriptions',
            WEBSOCKET_API_ENDPOINT: 'https://ws-api.execute-api.us-east-1.amazonaws.com/test',
            FRAMES_PER_SECOND: '10',
            FRAME_BURST: '60',
            FLOOD_AFTER_REFUSED_FRAMES: '40',
            MAX_SUBSCRIPTIONS_PER_CONNECTION: '50',
            FANOUT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/test-connections-fanout',
            JWT_ISSUER: 'https://issuer.test',
            JWT_AUDIENCE: 'live-comments',
            ALLOWED_ORIGINS: 'http://localhost:3000',
          },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', '**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
