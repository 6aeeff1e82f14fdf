import { resolve } from 'node:path';
import type { NextConfig } from 'next';

/**
 * A static export (`out/`): plain files that the local cloud serves and an
 * S3 + CloudFront stack can host. Nothing is baked in per stage: the app reads
 * `/config.json` at run time (NEXT_PUBLIC_API_BASE_URL and
 * NEXT_PUBLIC_WEBSOCKET_URL are only the fallback).
 */
const root = resolve(import.meta.dirname, '..');

const config: NextConfig = {
  output: 'export',
  // `/post/?id=…` is out/post/index.html: a folder index, as S3 and the local server serve it.
  trailingSlash: true,
  reactStrictMode: true,
  poweredByHeader: false,
  // The workspace packages are TypeScript source (client/, react/, and events/ for types).
  transpilePackages: ['@live-comments/client', '@live-comments/react', '@live-comments/events'],
  turbopack: { root },
  outputFileTracingRoot: root,
  // `npm run typecheck` checks web/ with tsc; the build does not do it a second time.
  typescript: { ignoreBuildErrors: true },
  images: { unoptimized: true },
  // next dev would otherwise write web/AGENTS.md (instructions for coding agents) into the tree.
  agentRules: false,
  experimental: { agentUpgrade: false },
};

export default config;
