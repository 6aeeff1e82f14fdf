/**
 * `npm run build:web`: the web app's static build in web/dist (index.html,
 * app.js, app.css and their source maps), built as web/server.ts builds it in
 * memory, for the hosting stack to upload (its webBuildDir param). A Next.js
 * static export (`out/`) is uploaded the same way with
 * `--param="webBuildDir=../web/out"`.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { root } from './stacks';

const web = join(root, 'web');
const out = join(web, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: { app: join(web, 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  sourcemap: 'linked',
  minify: true,
  outdir: out,
  logLevel: 'warning',
});
copyFileSync(join(web, 'index.html'), join(out, 'index.html'));
console.log(`web app built in ${out}`);
