/**
 * API Gateway limits WebSocket frames to 32 KB (a 128 KB message may arrive
 * as several frames). `ws` only limits whole messages, so this reads the frame
 * headers as the bytes arrive and reports the first frame over the limit,
 * before `ws` has buffered it.
 */
export type FrameGuard = (chunk: Buffer) => boolean;

export const createFrameGuard = (maxFrameBytes: number): FrameGuard => {
  let pending: Buffer | undefined;
  let skip = 0;
  return (chunk) => {
    const buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let offset = 0;
    while (offset < buffer.length) {
      if (skip > 0) {
        const step = Math.min(skip, buffer.length - offset);
        skip -= step;
        offset += step;
        continue;
      }
      if (buffer.length - offset < 2) {
        pending = Buffer.from(buffer.subarray(offset));
        break;
      }
      const second = buffer[offset + 1] as number;
      const short = second & 0x7f;
      const headerLength = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
      if (buffer.length - offset < headerLength) {
        pending = Buffer.from(buffer.subarray(offset));
        break;
      }
      const length =
        short === 126
          ? buffer.readUInt16BE(offset + 2)
          : short === 127
            ? Number(buffer.readBigUInt64BE(offset + 2))
            : short;
      if (length > maxFrameBytes) return true;
      offset += headerLength;
      skip = length;
    }
    return false;
  };
};
