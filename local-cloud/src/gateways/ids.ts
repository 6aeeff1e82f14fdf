import { randomBytes } from 'node:crypto';

/**
 * Identifiers and timestamps shaped like API Gateway's: request and connection
 * ids are 11 random bytes in base64 (`LV7fzho-PHcEJPw=`), times are in the
 * access-log form `21/Apr/2020:15:08:21 +0000`.
 */

// One pooled buffer instead of a randomBytes call per id keeps the hot path lean.
const ID_BYTES = 11;
const POOL_SIZE = ID_BYTES * 512;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

const randomId = (): Buffer => {
  if (poolOffset + ID_BYTES > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return slice;
};

/** `LV7fzho-PHcEJPw=`: AWS's ids use `-` and `_` where base64 has `+` and `/`, and keep the padding. */
export const awsId = (): string => randomId().toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** `Root=1-5e9f0c65-1de4d666d4dd26aced652b6c`, the X-Ray trace header API Gateway adds. */
export const traceHeader = (epochMs: number): string =>
  `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

let cachedSecond = -1;
let cachedTime = '';

/** `12/Mar/2020:19:03:58 +0000`; formatted once per second. */
export const requestTime = (epochMs: number): string => {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedTime = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(
      d.getUTCHours(),
    )}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    cachedSecond = second;
  }
  return cachedTime;
};
