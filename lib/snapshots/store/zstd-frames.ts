// Splits concatenated zstd frames (RFC 8878 §3.1) without decoding them: the pack writer needs
// each blob's compressed offset and length. Only frame and block headers are read.
const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;

export type FrameInfo = { offset: number; length: number; contentSize: number | null };

export function splitFrames(buf: Buffer, maxFrames = 1_000_000): FrameInfo[] {
  const frames: FrameInfo[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (frames.length >= maxFrames) throw new Error("too many zstd frames");
    const start = pos;
    need(buf, pos, 4);
    const magic = buf.readUInt32LE(pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) throw new Error(`unexpected skippable frame at ${pos}`);
    if (magic !== MAGIC) throw new Error(`bad zstd magic at ${pos}`);
    pos += 4;
    need(buf, pos, 1);
    const fhd = buf[pos++];
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictFlag = fhd & 3;
    if (!singleSegment) pos += 1; // window descriptor
    pos += [0, 1, 2, 4][dictFlag];
    const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag];
    need(buf, pos, fcsBytes);
    let contentSize: number | null = null;
    if (fcsBytes === 1) contentSize = buf[pos];
    else if (fcsBytes === 2) contentSize = buf.readUInt16LE(pos) + 256;
    else if (fcsBytes === 4) contentSize = buf.readUInt32LE(pos);
    else if (fcsBytes === 8) contentSize = Number(buf.readBigUInt64LE(pos));
    pos += fcsBytes;
    for (let blocks = 0; ; blocks++) {
      if (blocks > 1 << 24) throw new Error("too many zstd blocks");
      need(buf, pos, 3);
      const header = buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16);
      pos += 3;
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw new Error(`reserved zstd block type at ${pos - 3}`);
      pos += type === 1 ? 1 : size; // RLE blocks store one byte
      if (pos > buf.length) throw new Error("truncated zstd block");
      if (last) break;
    }
    if (checksum) pos += 4;
    if (pos > buf.length) throw new Error("truncated zstd frame checksum");
    frames.push({ offset: start, length: pos - start, contentSize });
  }
  return frames;
}

function need(buf: Buffer, pos: number, n: number) {
  if (pos + n > buf.length) throw new Error("truncated zstd frame header");
}
