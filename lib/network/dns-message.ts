// Just enough of the DNS wire format (RFC 1035) for the sandbox resolver: the question of a query,
// the A records of an answer, and a REFUSED reply. Pure.

export type DnsQuestion = { id: number; name: string; type: number; end: number };

const TYPE_NAMES: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 64: "SVCB", 65: "HTTPS", 255: "ANY" };
/** A record type as people write it: 1 → "A", 28 → "AAAA", an unusual one as "TYPE<n>". */
export const typeName = (type: number) => TYPE_NAMES[type] ?? `TYPE${type}`;
export const TYPE_A = 1;
export const RCODE_REFUSED = 5;
export const RCODE_SERVFAIL = 2;

/** A name at `offset` (following compression pointers) and where the name's bytes end there. */
function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (pos >= buf.length) throw new Error("truncated name");
    const len = buf[pos];
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: labels.join(".").toLowerCase(), end };
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    labels.push(buf.toString("latin1", pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error("name loops");
}

export function parseQuestion(buf: Buffer): DnsQuestion | null {
  try {
    if (buf.length < 12 || buf.readUInt16BE(4) < 1) return null;
    const { name, end } = readName(buf, 12);
    if (end + 4 > buf.length) return null;
    return { id: buf.readUInt16BE(0), name, type: buf.readUInt16BE(end), end: end + 4 };
  } catch {
    return null;
  }
}

/** The A records of an answer (whatever name they are for: the CNAME chain ends in them). */
export function answerAddresses(buf: Buffer): { ip: string; ttl: number }[] {
  try {
    const qd = buf.readUInt16BE(4);
    const an = buf.readUInt16BE(6);
    let pos = 12;
    for (let i = 0; i < qd; i++) pos = readName(buf, pos).end + 4;
    const out: { ip: string; ttl: number }[] = [];
    for (let i = 0; i < an; i++) {
      pos = readName(buf, pos).end;
      const type = buf.readUInt16BE(pos);
      const ttl = buf.readUInt32BE(pos + 4);
      const len = buf.readUInt16BE(pos + 8);
      pos += 10;
      if (pos + len > buf.length) throw new Error("truncated record");
      if (type === TYPE_A && len === 4) out.push({ ip: [...buf.subarray(pos, pos + 4)].join("."), ttl });
      pos += len;
    }
    return out;
  } catch {
    return [];
  }
}

/** An answer with `rcode` to `query`: its id, opcode, RD and question kept, no records. */
export function errorReply(query: Buffer, q: DnsQuestion, rcode: number): Buffer {
  const out = Buffer.from(query.subarray(0, q.end));
  out[2] = 0x80 | (query[2] & 0x79); // QR, opcode, RD (AA and TC cleared)
  out[3] = 0x80 | rcode; // RA
  out.writeUInt16BE(1, 4);
  out.writeUInt32BE(0, 6); // no answers, no authority
  out.writeUInt16BE(0, 10); // no additional (drops a query's EDNS record)
  return out;
}

/** A query for `name`'s A records (the resolver's own look-ups of denied domains). */
export function buildQuery(id: number, name: string): Buffer {
  const labels = name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, "latin1")]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, TYPE_A, 0, 1])]);
}
