import { describe, expect, it } from "vitest";
import { readFirstBytesName } from "./first-bytes";
import { clientHello } from "./tls-client-hello.fixture";

describe("readFirstBytesName", () => {
  it("reads the SNI of a whole ClientHello, in lower case", () => {
    expect(readFirstBytesName(clientHello("Denied.Test"))).toEqual({ kind: "name", name: "denied.test", via: "sni" });
  });

  it("asks for more while the ClientHello is cut short, at any byte, then reads it", () => {
    const hello = clientHello("a.wild.test");
    for (let cut = 1; cut < hello.length; cut++) expect(readFirstBytesName(hello.subarray(0, cut)).kind, `cut at ${cut}`).toBe("more");
    expect(readFirstBytesName(hello)).toMatchObject({ name: "a.wild.test" });
  });

  it("reads a ClientHello split over two TLS records", () => {
    const hello = clientHello("allowed.test");
    const hs = hello.subarray(5);
    const rec = (b: Buffer) => Buffer.concat([Buffer.from([0x16, 3, 1, b.length >> 8, b.length & 255]), b]);
    expect(readFirstBytesName(Buffer.concat([rec(hs.subarray(0, 40)), rec(hs.subarray(40))]))).toMatchObject({ name: "allowed.test", via: "sni" });
  });

  it("says none for a ClientHello without SNI, an IP-literal SNI, another handshake message or garbage", () => {
    expect(readFirstBytesName(clientHello(null))).toEqual({ kind: "none" });
    expect(readFirstBytesName(clientHello("203.0.113.12"))).toEqual({ kind: "none" });
    const notHello = clientHello("x.test");
    notHello[5] = 2;
    expect(readFirstBytesName(notHello)).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from([0x16, 9, 9, 0, 4, 1, 2, 3, 4]))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from("SSH-2.0-OpenSSH_9.2\r\n"))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from([0, 1, 2, 3]))).toEqual({ kind: "none" });
  });

  it("does not read past a lying length (a truncated extension inside a whole message)", () => {
    const hello = clientHello("denied.test");
    // The SNI extension's length claims more than the extensions hold.
    const at = hello.indexOf(Buffer.from([0, 0, 0, 16])) >= 0 ? -1 : hello.indexOf(Buffer.from("denied.test")) - 9;
    const bad = Buffer.from(hello);
    bad[at + 2] = 0xff;
    expect(readFirstBytesName(bad)).toEqual({ kind: "none" });
  });

  it("reads an HTTP request's Host, without its port, case-insensitively", () => {
    expect(readFirstBytesName(Buffer.from("GET / HTTP/1.1\r\nUser-Agent: x\r\nHOST: Denied.Test:8080\r\n\r\n"))).toEqual({ kind: "name", name: "denied.test", via: "host" });
    expect(readFirstBytesName(Buffer.from("POST /x HTTP/1.0\nhost: a.wild.test.\n\n"))).toMatchObject({ name: "a.wild.test" });
  });

  it("takes the name of an absolute-form request target over the Host header", () => {
    expect(readFirstBytesName(Buffer.from("GET http://user@Denied.test:81/x HTTP/1.1\r\nHost: other.test\r\n\r\n"))).toEqual({ kind: "name", name: "denied.test", via: "host" });
    expect(readFirstBytesName(Buffer.from("GET http://203.0.113.12/ HTTP/1.1\r\nHost: other.test\r\n\r\n"))).toEqual({ kind: "none" });
  });

  it("asks for more until the Host line is whole", () => {
    const req = "GET /index.html HTTP/1.1\r\nAccept: */*\r\nHost: other.test\r\n\r\n";
    const hostEnd = req.indexOf("other.test") + "other.test\r\n".length;
    for (let cut = 1; cut < hostEnd - 1; cut++) expect(readFirstBytesName(Buffer.from(req.slice(0, cut))).kind, JSON.stringify(req.slice(0, cut))).toBe("more");
    expect(readFirstBytesName(Buffer.from(req.slice(0, hostEnd)))).toMatchObject({ name: "other.test" });
  });

  it("says none for an IP-literal Host, a request without Host, and what is not HTTP", () => {
    expect(readFirstBytesName(Buffer.from("GET / HTTP/1.1\r\nHost: 203.0.113.12\r\n\r\n"))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from("GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n"))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from("GET / HTTP/1.0\r\n\r\n"))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from("get / HTTP/1.1\r\n"))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from("GET / FTP\r\n"))).toEqual({ kind: "none" });
    expect(readFirstBytesName(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))).toEqual({ kind: "none" });
  });
});
