import { describe, expect, it } from "vitest";
import { domainMatches, ipv4InEntries, nameVerdict, splitEntries } from "./policy-match";
import { networkSchema } from "./schemas";

describe("the network field", () => {
  it("takes none or a policy, entries normalised", () => {
    expect(networkSchema.parse("none")).toBe("none");
    expect(networkSchema.parse({ egress: "deny", allowOut: ["Example.COM.", "*.pypi.org", "10.0.0.0/8", "1.2.3.4", "2001:db8::/32"] })).toEqual({
      egress: "deny", allowOut: ["example.com", "*.pypi.org", "10.0.0.0/8", "1.2.3.4", "2001:db8::/32"], denyOut: [],
    });
  });

  it("names the failing entry", () => {
    for (const bad of ["10.0.0.0/33", "300.1.1.1", "exa mple.com", "*.com.*", "localhost", "http://x.com", "*", "-a.com", "1.2.3"]) {
      const r = networkSchema.safeParse({ egress: "allow", denyOut: ["ok.com", bad] });
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues.some((i) => i.path.join(".") === "denyOut.1"), bad).toBe(true);
    }
    expect(networkSchema.safeParse({ egress: "maybe" }).success).toBe(false);
    expect(networkSchema.safeParse({ egress: "allow", extra: 1 }).success).toBe(false);
  });
});

describe("matching", () => {
  it("splits entries by kind", () => {
    expect(splitEntries(["1.2.3.4", "10.0.0.0/8", "::1", "fd00::/8", "a.com", "*.b.com"])).toEqual({
      v4: ["1.2.3.4", "10.0.0.0/8"], v6: ["::1", "fd00::/8"], domains: ["a.com"], wildcards: ["b.com"],
    });
  });

  it("a domain names itself, a wildcard what is below it", () => {
    expect(domainMatches("a.com", ["a.com"])).toBe(true);
    expect(domainMatches("x.a.com", ["a.com"])).toBe(false);
    expect(domainMatches("x.y.b.com", ["*.b.com"])).toBe(true);
    expect(domainMatches("b.com", ["*.b.com"])).toBe(false);
    expect(domainMatches("evilb.com", ["*.b.com"])).toBe(false);
    expect(domainMatches("A.COM.", ["a.com"])).toBe(true);
  });

  it("denyOut wins over allowOut", () => {
    const policy = { allowOut: ["*.github.com"], denyOut: ["gist.github.com"] };
    expect(nameVerdict(policy, "api.github.com")).toBe("allow");
    expect(nameVerdict(policy, "gist.github.com")).toBe("deny");
    expect(nameVerdict(policy, "example.org")).toBe("default");
  });

  it("finds IPv4 addresses in ranges", () => {
    expect(ipv4InEntries("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(ipv4InEntries("11.0.0.1", ["10.0.0.0/8", "11.0.0.2"])).toBe(false);
    expect(ipv4InEntries("11.0.0.2", ["11.0.0.2"])).toBe(true);
    expect(ipv4InEntries("203.0.113.255", ["203.0.113.0/24"])).toBe(true);
    expect(ipv4InEntries("::1", ["0.0.0.0/0"])).toBe(false);
  });
});
