import http from "node:http";
import { describe, expect, it } from "vitest";
import { normalizeAddress, parseTrustedProxies, PEER_ADDRESS_HEADER, resolveClientIp } from "./client-ip";
import { installPeerAddressHeader } from "./peer-address";

const none = parseTrustedProxies("");
const proxies = parseTrustedProxies("10.0.0.1, 10.1.0.0/16, fd00::/8");

describe("resolveClientIp", () => {
  it("ignores X-Forwarded-For when no proxy is trusted: the peer is the client", () => {
    expect(resolveClientIp({ peer: "198.51.100.9", forwardedFor: "203.0.113.7", trusted: none })).toBe("198.51.100.9");
    expect(resolveClientIp({ peer: "198.51.100.9", forwardedFor: null, trusted: none })).toBe("198.51.100.9");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(resolveClientIp({ peer: "198.51.100.9", forwardedFor: "203.0.113.7", trusted: proxies })).toBe("198.51.100.9");
  });

  it("walks the chain from the right past trusted proxies to the first untrusted address", () => {
    expect(resolveClientIp({ peer: "10.0.0.1", forwardedFor: "203.0.113.7", trusted: proxies })).toBe("203.0.113.7");
    // The leftmost entry is the caller's own claim; the proxies vouch only for what they appended.
    expect(resolveClientIp({ peer: "10.0.0.1", forwardedFor: "1.2.3.4, 203.0.113.7, 10.1.2.3", trusted: proxies })).toBe("203.0.113.7");
    expect(resolveClientIp({ peer: "fd00::5", forwardedFor: "2001:db8::1", trusted: proxies })).toBe("2001:db8::1");
  });

  it("stops at the leftmost address when every hop is trusted, and at garbage a proxy passed on", () => {
    expect(resolveClientIp({ peer: "10.0.0.1", forwardedFor: "10.1.0.7", trusted: proxies })).toBe("10.1.0.7");
    expect(resolveClientIp({ peer: "10.0.0.1", forwardedFor: "203.0.113.7, not-an-ip", trusted: proxies })).toBe("10.0.0.1");
    expect(resolveClientIp({ peer: "10.0.0.1", forwardedFor: " , ", trusted: proxies })).toBe("10.0.0.1");
  });

  it("is null without a peer, whatever X-Forwarded-For says", () => {
    expect(resolveClientIp({ peer: null, forwardedFor: "203.0.113.7", trusted: proxies })).toBeNull();
    expect(resolveClientIp({ peer: "nonsense", forwardedFor: "203.0.113.7", trusted: proxies })).toBeNull();
  });

  it("treats IPv4 on a dual-stack socket as IPv4", () => {
    expect(normalizeAddress("::ffff:10.0.0.1")).toBe("10.0.0.1");
    expect(resolveClientIp({ peer: "::ffff:10.0.0.1", forwardedFor: "203.0.113.7", trusted: proxies })).toBe("203.0.113.7");
  });
});

describe("parseTrustedProxies", () => {
  it("refuses entries that are not addresses or ranges", () => {
    for (const bad of ["10.0.0.1/33", "proxy.local", "10.0.0.0/8/1", "fd00::/129", "10.0.0.0/x"]) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(/TRUSTED_PROXIES/);
    }
  });
});

describe("installPeerAddressHeader", () => {
  it("overwrites a peer header the caller sent with the socket's address", async () => {
    installPeerAddressHeader();
    const server = http.createServer((req, res) => res.end(String(req.headers[PEER_ADDRESS_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_ADDRESS_HEADER]: "203.0.113.7" } });
      expect(await res.text()).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
