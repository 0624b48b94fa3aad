import { describe, expect, it } from "vitest";
import { inspectQueueRule, learnedElementsScript, meterRuleset, runnerRuleset, sandboxAttachScript, sandboxDetachCommands, sandboxMeterScript, sandboxPolicyScript } from "./nft-ruleset";
import { answerAddresses, buildQuery, errorReply, parseQuestion, RCODE_REFUSED } from "./dns-message";
import { rangeOf } from "./address-pool";

describe("nftables scripts", () => {
  const net = { table: "burrow", bridge: "burrow0", cidr: "10.88.0.0/16", gateway: "10.88.0.1", blocked: ["192.168.1.0/24", "fd12::/64"] };

  it("blocks the built-in destinations, the runner's range and its networks before any policy", () => {
    const text = runnerRuleset(net);
    for (const cidr of ["169.254.0.0/16", "127.0.0.0/8", "10.88.0.0/16", "192.168.1.0/24"]) expect(text).toMatch(new RegExp(`set blocked4[^}]*${cidr.replace(/[./]/g, "\\$&")}`));
    for (const cidr of ["fd00:ec2::254/128", "fd12::/64"]) expect(text).toContain(cidr);
    // Order matters: blocked first, then the per-sandbox verdict, and nothing unknown passes.
    const chain = text.slice(text.indexOf("chain from_sandbox"));
    expect(chain.indexOf("@blocked4")).toBeLessThan(chain.indexOf("vmap @sandboxes"));
    expect(chain).toMatch(/vmap @sandboxes\s+goto deny/);
    expect(text).toContain('iifname "burrow0" ip daddr 10.88.0.1 meta l4proto { tcp, udp } th dport 53 accept\n    iifname "burrow0" ct state established,related accept\n    iifname "burrow0" goto deny');
  });

  it("puts denyOut before allowOut and ends on the egress default", () => {
    const allow = sandboxPolicyScript("burrow", "k1", { egress: "allow", allowOut: ["1.1.1.1"], denyOut: ["10.0.0.0/8", "x.com"] });
    const rules = allow.split("\n").filter((l) => l.startsWith("add rule"));
    expect(rules.map((r) => r.split(" s_k1 ")[1])).toEqual([
      "ip daddr @dn_k1 goto deny", "ip daddr @dd_k1 goto deny", "ip daddr @an_k1 accept", "ip daddr @ad_k1 accept", "accept",
    ]);
    expect(allow).toContain("add element inet burrow dn_k1 { 10.0.0.0/8 }");
    expect(allow).not.toContain("x.com"); // domains are the resolver's
    expect(sandboxPolicyScript("burrow", "k1", { egress: "deny", allowOut: [], denyOut: [] }).trim().split("\n").at(-1)).toBe("add rule inet burrow s_k1 goto deny");
  });

  it("logs each verdict with its rule for the flight recorder when given a group, and still refuses at once", () => {
    const rules = sandboxPolicyScript("burrow", "k1", { egress: "deny", allowOut: ["1.1.1.1"], denyOut: [] }, 7150).split("\n").filter((l) => l.startsWith("add rule"));
    expect(rules.map((r) => r.split(" s_k1 ")[1])).toEqual([
      'ip daddr @dn_k1 log prefix "denied:deny_out" group 7150 snaplen 64 goto deny',
      'ip daddr @dd_k1 log prefix "denied:deny_out" group 7150 snaplen 64 goto deny',
      'ip daddr @an_k1 log prefix "allowed:allow_out" group 7150 snaplen 64 accept',
      'ip daddr @ad_k1 log prefix "allowed:allow_out" group 7150 snaplen 64 accept',
      'log prefix "denied:egress" group 7150 snaplen 64 goto deny',
    ]);
    const text = runnerRuleset({ ...net, logGroup: 7150 });
    expect(text).toContain('ip daddr @blocked4 log prefix "denied:always_blocked" group 7150 snaplen 64 goto deny');
    expect(text).toContain('iifname "burrow0" meta pkttype host log prefix "denied:always_blocked" group 7150 snaplen 64 goto deny\n    iifname "burrow0" goto deny');
  });

  it("marks web connections of a sandbox with domain rules for name inspection, and refuses its QUIC", () => {
    const policy = { egress: "allow" as const, allowOut: [], denyOut: ["x.com"] };
    const rules = sandboxPolicyScript("burrow", "k1", policy, null, true).split("\n").filter((l) => l.startsWith("add rule")).map((r) => r.split(" s_k1 ")[1]);
    expect(rules[0]).toBe("tcp dport { 80, 443 } ct mark set ct mark | 0x100");
    expect(rules).toContain("udp dport 443 ip daddr != @an_k1 goto deny");
    // Without domain rules (or with inspection off) nothing is marked: no packet is queued.
    expect(sandboxPolicyScript("burrow", "k1", { ...policy, denyOut: ["1.2.3.4"] }, null, true)).not.toContain("ct mark");
    expect(sandboxPolicyScript("burrow", "k1", policy, null, false)).not.toContain("ct mark");
    // The forward chain turns the reader's packet mark into the connection's decision; a denied one is reset.
    const text = runnerRuleset(net);
    expect(text).toContain('iifname "burrow0" ct mark & 0x100 == 0x100 jump inspected\n    iifname "burrow0" goto from_sandbox');
    expect(text).toContain("meta mark & 0x400 == 0x400 ct mark set ct mark | 0x600 goto deny");
    expect(inspectQueueRule("burrow0", 7151).join(" ")).toBe(
      "FORWARD -i burrow0 -p tcp -m multiport --dports 80,443 -m connmark --mark 0x100/0x300 -m conntrack --ctstate ESTABLISHED --ctdir ORIGINAL -m comment --comment burrow name inspection -j NFQUEUE --queue-num 7151");
  });

  it("counts egress in a table of its own, after the policy, with a counter pair per sandbox", () => {
    const meter = meterRuleset("burrow", "burrow0");
    expect(meter).toContain("add chain inet burrow_meter count { type filter hook forward priority filter + 10; policy accept; }");
    expect(meter).toContain('add rule inet burrow_meter count iifname "burrow0" counter name ip saddr map @out_bytes');
    expect(meter).not.toContain("delete"); // never resets a counter
    expect(sandboxMeterScript("burrow", "k1", "10.88.0.2", "m1")).toContain('add element inet burrow_meter out_bytes { 10.88.0.2 : "o_k1" }');
  });

  it("removes each piece on its own", () => {
    expect(sandboxDetachCommands("burrow", "k1", "10.88.0.2")).toHaveLength(9);
    expect(sandboxDetachCommands("burrow", "k1", "10.88.0.2")).toContain('delete element bridge burrow veths { "bvk1" }');
    expect(learnedElementsScript("burrow", "ad_k1", [{ ip: "1.2.3.4", ttl: 30 }, { ip: "5.6.7.8", ttl: 999_999 }])).toBe("add element inet burrow ad_k1 { 1.2.3.4 timeout 300s, 5.6.7.8 timeout 86400s }\n");
  });

  it("judges only this runner's veths at the bridge (another runner's table on the host leaves them alone)", () => {
    const text = runnerRuleset({ table: "burrow", bridge: "burrow0", cidr: "10.88.0.0/16", gateway: "10.88.0.1", blocked: [] });
    expect(text).toContain("iifname @veths ether type ip iifname . ip saddr != @ports drop");
    expect(text).toContain('iifname @veths oifname "bv*" drop');
    expect(sandboxAttachScript("burrow", "k1", "10.88.0.2")).toContain('add element bridge burrow veths { "bvk1" }');
  });

  it("takes the range's first address as the gateway", () => {
    expect(rangeOf("10.88.0.0/16")).toMatchObject({ gateway: "10.88.0.1", size: 65_536 });
    expect(rangeOf("10.89.3.77/24")).toMatchObject({ gateway: "10.89.3.1", size: 256 });
  });
});

describe("DNS messages", () => {
  it("reads a query's question and answers it REFUSED with the same id and question", () => {
    const q = buildQuery(0xbeef, "Denied.Test");
    const question = parseQuestion(q)!;
    expect(question).toMatchObject({ id: 0xbeef, name: "denied.test", type: 1 });
    const reply = errorReply(q, question, RCODE_REFUSED);
    expect(reply.readUInt16BE(0)).toBe(0xbeef);
    expect(reply[3] & 15).toBe(RCODE_REFUSED);
    expect(reply[2] & 0x80).toBe(0x80);
    expect(parseQuestion(reply)?.name).toBe("denied.test");
    expect(parseQuestion(Buffer.from([1, 2, 3]))).toBeNull();
  });

  it("reads A records through name compression", () => {
    const q = buildQuery(1, "a.test");
    const answer = Buffer.concat([q, Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 7])]);
    answer.writeUInt16BE(1, 6);
    expect(answerAddresses(answer)).toEqual([{ ip: "203.0.113.7", ttl: 60 }]);
    expect(answerAddresses(answer.subarray(0, answer.length - 2))).toEqual([]);
  });
});
