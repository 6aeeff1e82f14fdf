import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import type { FunctionDef } from '../topology/model';
import type { InvokeError } from './invoker';

/** Where one function's handler lives: the source file and the export inside it. */
export interface HandlerEntry {
  functionKey: string;
  /** Absolute path of the handler's source file. */
  source: string;
  /** Output path (relative to the build dir, no extension): `<fnKey>/<file>`. */
  out: string;
  exportName: string;
}

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];

/** `src/handlers/create-post.handler` -> the file that exists for it, or an ImportModuleError. */
export function handlerEntry(fn: FunctionDef): HandlerEntry | InvokeError {
  const dot = fn.handler.lastIndexOf('.');
  const modulePath = dot > 0 ? fn.handler.slice(0, dot) : fn.handler;
  const exportName = dot > 0 ? fn.handler.slice(dot + 1) : 'handler';
  const base = join(fn.serviceDir, modulePath);
  const source = SOURCE_EXTENSIONS.map((extension) => `${base}${extension}`).find((file) => existsSync(file));
  if (!source) {
    return {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${basename(modulePath)}' (looked for ${base}.{ts,js,...})`,
      trace: [],
    };
  }
  return { functionKey: fn.key, source, out: `${fn.key}/${basename(modulePath)}`, exportName };
}

/**
 * Third-party packages stay out of the bundles and load from node_modules, by
 * the absolute path Node itself resolves from the importing file: building
 * every function with zod, Powertools and the AWS SDK inside takes seconds,
 * without them a fraction of one. Workspace packages (`@live-comments/*`, whose
 * exports point at TypeScript) resolve outside node_modules and are bundled,
 * and so is anything Node cannot require (ESM-only exports).
 */
export function externalPackages(): esbuild.Plugin {
  const cache = new Map<string, string | null>();
  return {
    name: 'local-cloud-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path) || args.kind === 'entry-point') return undefined;
        const key = `${args.resolveDir}\0${args.path}`;
        let resolved = cache.get(key);
        if (resolved === undefined) {
          try {
            resolved = createRequire(join(args.resolveDir, 'noop.js')).resolve(args.path);
          } catch {
            resolved = null;
          }
          cache.set(key, resolved);
        }
        if (!resolved?.includes('/node_modules/')) return undefined;
        return { path: resolved, external: true };
      });
    },
  };
}

/**
 * The settings of serverless.common.yml's esbuild block (bundle, node22, cjs,
 * sourcemap, keepNames), except that locally third-party packages stay
 * external (see externalPackages) so that a build of every function is fast.
 */
export function bundleOptions(entries: HandlerEntry[], outdir: string): esbuild.BuildOptions {
  return {
    entryPoints: entries.map((entry) => ({ in: entry.source, out: entry.out })),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    // Stack traces only need the mappings.
    sourcesContent: false,
    keepNames: true,
    minify: false,
    plugins: [externalPackages()],
    // .cjs: the repository's package.json says "type": "module", which would make a .js bundle ESM.
    outExtension: { '.js': '.cjs' },
    write: false,
    logLevel: 'silent',
  };
}

export interface BuildOutcome {
  /** Function key -> content hash of its bundle, for the functions that built. */
  hashes: Map<string, string>;
  /** Function key -> why it did not build. */
  errors: Map<string, InvokeError>;
}

function formatMessages(messages: esbuild.Message[]): string {
  return messages
    .map((message) => {
      const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
      return `${where}${message.text}`;
    })
    .join('\n');
}

/** Writes the output files of a build and hashes each function's bundle. */
export async function writeOutputs(
  result: esbuild.BuildResult,
  entries: HandlerEntry[],
  outdir: string,
): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const files = result.outputFiles ?? [];
  await Promise.all(
    files.map(async (file) => {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.contents);
    }),
  );
  for (const entry of entries) {
    const bundle = join(outdir, `${entry.out}.cjs`);
    const file = files.find((candidate) => candidate.path === bundle);
    if (file) hashes.set(entry.functionKey, createHash('sha1').update(file.contents).digest('hex'));
  }
  return hashes;
}

/**
 * Builds every handler in one esbuild call; if that fails, builds them one by
 * one so a broken function does not take the others down with it.
 */
export async function buildHandlers(entries: HandlerEntry[], outdir: string): Promise<BuildOutcome> {
  const outcome: BuildOutcome = { hashes: new Map(), errors: new Map() };
  if (entries.length === 0) return outcome;
  try {
    const result = await esbuild.build(bundleOptions(entries, outdir));
    outcome.hashes = await writeOutputs(result, entries, outdir);
    return outcome;
  } catch {
    // Fall through to one build per function to find the broken ones.
  }
  await Promise.all(
    entries.map(async (entry) => {
      try {
        const result = await esbuild.build(bundleOptions([entry], outdir));
        for (const [key, hash] of await writeOutputs(result, [entry], outdir)) outcome.hashes.set(key, hash);
      } catch (error) {
        const messages = (error as { errors?: esbuild.Message[] }).errors;
        outcome.errors.set(entry.functionKey, {
          errorType: 'Runtime.UserCodeSyntaxError',
          errorMessage: messages ? formatMessages(messages) : String(error),
          trace: [],
        });
      }
    }),
  );
  return outcome;
}

/** The worker bootstrap, bundled from worker.ts so the runtime ships one source language. */
export async function buildBootstrap(outdir: string): Promise<string> {
  const outfile = join(outdir, '_runtime', 'worker.cjs');
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'silent',
  });
  return outfile;
}

export { formatMessages };
