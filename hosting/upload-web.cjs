// After `serverless deploy` of the hosting stack: uploads the web app's static
// build (param webBuildDir) to the stack's bucket and writes the stage's
// /config.json from the stack's outputs. Cache headers let a deploy show at
// once: hashed assets (Next.js's _next/static/, or a name with a hash segment)
// are cached for a year; everything else (HTML, config.json, unhashed bundles)
// is `no-cache`, revalidated by CloudFront and browsers on every request.
// Assets go first and the HTML and config.json last, so a page never names a
// file not yet there; files of earlier deploys are kept for pages still open.
const { readdirSync, readFileSync, statSync, existsSync } = require('node:fs');
const { join, relative, resolve, extname } = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Whether a file's name changes with its content, so it may be cached for ever. */
const isHashed = (key) =>
  key.startsWith('_next/static/') || /[.-](?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,}\.[a-z0-9]+$/.test(key);

const cacheControlOf = (key) => (!key.endsWith('.html') && isHashed(key) ? IMMUTABLE : REVALIDATE);

const filesOf = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });

class UploadWeb {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:deploy:deploy': () => this.upload() };
  }

  async upload() {
    const { serverless } = this;
    const provider = serverless.getProvider('aws');
    const log = (message) => serverless.cli.log(message);
    const dir = resolve(serverless.serviceDir, serverless.service.custom.webBuildDir);
    if (!existsSync(dir)) {
      throw new serverless.classes.Error(
        `The web app's build folder ${dir} does not exist: build it (npm run build:web) or pass --param="webBuildDir=..."`,
      );
    }
    const { Stacks } = await provider.request('CloudFormation', 'describeStacks', {
      StackName: provider.naming.getStackName(),
    });
    const outputs = Object.fromEntries((Stacks[0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const bucket = outputs.WebBucketName;
    const put = (key, body, cacheControl) =>
      provider.request('S3', 'putObject', {
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: TYPES[extname(key)] ?? 'application/octet-stream',
        CacheControl: cacheControl,
      });

    const keys = filesOf(dir).map((path) => ({ path, key: relative(dir, path).split('\\').join('/') }));
    const last = (key) => key.endsWith('.html');
    for (const { path, key } of keys.filter(({ key }) => !last(key)))
      await put(key, readFileSync(path), cacheControlOf(key));
    const config = { apiUrl: outputs.ApiUrl, websocketUrl: outputs.WebSocketUrl, localSignIn: false };
    await put('config.json', JSON.stringify(config), REVALIDATE);
    for (const { path, key } of keys.filter(({ key }) => last(key)))
      await put(key, readFileSync(path), REVALIDATE);
    log(`web app: ${keys.length} files and config.json uploaded to ${bucket}`);
    log(`web app and HTTP API: ${outputs.WebUrl}`);
    log(`WebSocket API: ${outputs.WebSocketUrl}`);
  }
}

module.exports = UploadWeb;
module.exports.cacheControlOf = cacheControlOf;
