/**
 * `npm run build:web`: the web app's static export in web/out (`next build`,
 * offline, as the local cloud builds it), for the hosting stack to upload
 * (its webBuildDir param, ../web/out by default).
 */
import { join } from 'node:path';
import { runNextBuild } from '../web/server/build';
import { root } from './stacks';

await runNextBuild(join(root, 'web'));
console.log(`web app built in ${join(root, 'web', 'out')}`);
