// The name a client's first bytes on a connection ask for: the SNI of a TLS ClientHello, or the
// Host of a plain HTTP/1.x request. Pure. The bytes are what the client sent so far (TCP segments
// put in order); "more" says the name may still come, "none" that it never will on this
// connection (another protocol, a ClientHello without SNI, a request without Host or whose Host is
// an IP literal).
import { isIP } from "node:net";

export type FirstBytesName =
  | { kind: "name"; name: string; via: "sni" | "host" }
  | { kind: "more"; protocol: "tls" | "http" | "unknown" }
  | { kind: "none" };

const MORE_TLS = { kind: "more", protocol: "tls" } as const;
const MORE_HTTP = { kind: "more", protocol: "http" } as const;
const NONE = { kind: "none" } as const;

/** A hostname as policy entries are written: lower case, no trailing dot; null for an IP literal or nonsense. */
function hostName(raw: string): string | null {
  let h = raw.trim().toLowerCase();
  if (h.startsWith("[")) return null; // [v6]:port
  const colon = h.lastIndexOf(":");
  if (colon !== -1 && h.indexOf(":") === colon) h = h.slice(0, colon); // name:port
  h = h.replace(/\.$/, "");
  if (!h || isIP(h) || !/^[a-z0-9_*.-]+$/.test(h) || h.length > 253) return null;
  return h;
}

export function readFirstBytesName(b: Uint8Array): FirstBytesName {
  if (b.length === 0) return { kind: "more", protocol: "unknown" };
  if (b[0] === 0x16) return readClientHello(b);
  return readHttpHost(b);
}

// --- TLS: records of type handshake (22), whose payloads joined are the ClientHello message.
function readClientHello(b: Uint8Array): FirstBytesName {
  if (b.length < 3) return MORE_TLS;
  if (b[1] !== 3) return NONE; // not a TLS record version (3.x)
  // Join the handshake records' payloads until the ClientHello is whole (it may span records).
  const parts: Uint8Array[] = [];
  let have = 0;
  let off = 0;
  let need = -1;
  while (off + 5 <= b.length) {
    if (b[off] !== 0x16) return NONE;
    const len = (b[off + 3] << 8) | b[off + 4];
    const end = Math.min(off + 5 + len, b.length);
    parts.push(b.subarray(off + 5, end));
    have += end - off - 5;
    if (need < 0 && have >= 4) {
      const msg = concat(parts);
      if (msg[0] !== 1) return NONE; // not a ClientHello
      need = 4 + ((msg[1] << 16) | (msg[2] << 8) | msg[3]);
    }
    if (need >= 0 && have >= need) return parseClientHello(concat(parts).subarray(4, need));
    if (end < off + 5 + len) return MORE_TLS; // this record is cut short: more bytes to come
    off = end;
  }
  return MORE_TLS;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The body of a whole ClientHello: its server_name extension's host_name, or none. */
function parseClientHello(m: Uint8Array): FirstBytesName {
  const u16 = (o: number) => (m[o] << 8) | m[o + 1];
  let o = 2 + 32; // version, random
  if (o + 1 > m.length) return NONE;
  o += 1 + m[o]; // session id
  if (o + 2 > m.length) return NONE;
  o += 2 + u16(o); // cipher suites
  if (o + 1 > m.length) return NONE;
  o += 1 + m[o]; // compression methods
  if (o + 2 > m.length) return NONE;
  const extEnd = Math.min(o + 2 + u16(o), m.length);
  o += 2;
  while (o + 4 <= extEnd) {
    const type = u16(o);
    const len = u16(o + 2);
    const body = o + 4;
    if (body + len > extEnd) return NONE;
    if (type === 0) {
      // server_name: list length, then entries of (type, length, name); host_name is type 0.
      let p = body + 2;
      while (p + 3 <= body + len) {
        const nameLen = u16(p + 1);
        if (p + 3 + nameLen > body + len) return NONE;
        if (m[p] === 0) {
          const name = hostName(new TextDecoder().decode(m.subarray(p + 3, p + 3 + nameLen)));
          return name ? { kind: "name", name, via: "sni" } : NONE;
        }
        p += 3 + nameLen;
      }
      return NONE;
    }
    o = body + len;
  }
  return NONE;
}

// --- HTTP/1.x: a request line, then headers up to an empty line; Host names the server.
const METHOD = /^[A-Z]{1,16}$/;

function readHttpHost(b: Uint8Array): FirstBytesName {
  const text = new TextDecoder("latin1").decode(b.subarray(0, 16_384));
  const sp = text.indexOf(" ");
  if (sp === -1) return /^[A-Z]{0,16}$/.test(text) ? MORE_HTTP : NONE;
  if (!METHOD.test(text.slice(0, sp))) return NONE;
  const lineEnd = text.indexOf("\n");
  if (lineEnd === -1) return /^[A-Z]+ \S*( (H(T(T(P(\/[0-9.]*)?)?)?)?)?)?\r?$/.test(text) ? MORE_HTTP : NONE;
  if (!/ HTTP\/[0-9.]+\r?$/.test(text.slice(0, lineEnd))) return NONE; // HTTP/0.9 or not HTTP
  // An absolute-form target (`GET http://name/ HTTP/1.1`) names the server over any Host header.
  const absolute = /^[A-Z]+ [a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?(\[[^\]]*\]|[^/:?#\s]+)/.exec(text.slice(0, lineEnd));
  if (absolute) {
    const name = hostName(absolute[1]);
    return name ? { kind: "name", name, via: "host" } : NONE;
  }
  let o = lineEnd + 1;
  for (;;) {
    const end = text.indexOf("\n", o);
    if (end === -1) return MORE_HTTP; // this header line is not whole yet
    const line = text.slice(o, end).replace(/\r$/, "");
    if (line === "") return NONE; // the headers ended without a Host
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === "host") {
      const name = hostName(line.slice(colon + 1));
      return name ? { kind: "name", name, via: "host" } : NONE;
    }
    o = end + 1;
  }
}
