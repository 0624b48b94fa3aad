// A TLS ClientHello as a client sends it, for the tests of the name inspection.
/** A ClientHello as a client sends it (one record), with an SNI when `sni` is given and an ALPN extension. */
export function clientHello(sni: string | null): Buffer {
  const ext = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type >> 8, type & 255, body.length >> 8, body.length & 255]), body]);
  const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
  const exts = [ext(0x10, Buffer.concat([u16(3), Buffer.from([2]), Buffer.from("h2")]))];
  if (sni !== null) {
    const name = Buffer.from(sni);
    exts.unshift(ext(0, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name])));
  }
  const extensions = Buffer.concat(exts);
  const body = Buffer.concat([
    Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([32]), Buffer.alloc(32, 9), // version, random, session id
    u16(4), Buffer.from([0x13, 1, 0x13, 2]), Buffer.from([1, 0]), // cipher suites, compression
    u16(extensions.length), extensions,
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(hs.length), hs]);
}
