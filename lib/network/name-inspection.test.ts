import { describe, expect, it } from "vitest";
import { clientHello } from "./tls-client-hello.fixture";
import { createFlowInspector, decideByName, HOLD_LIMITS, type NameInspectionEvent, type QueuedPacket } from "./name-inspection";
import type { EgressPolicy } from "./schemas";

const denyList: EgressPolicy = { egress: "allow", allowOut: [], denyOut: ["denied.test", "*.wild.test"] };
const allowList: EgressPolicy = { egress: "deny", allowOut: ["allowed.test", "203.0.113.10/32"], denyOut: [] };

describe("decideByName", () => {
  it("denies a denyOut name, allows an allowOut one, and follows egress for the rest", () => {
    expect(decideByName(denyList, "denied.test", "203.0.113.11")).toEqual({ verdict: "denied", rule: "deny_out", entry: "denied.test" });
    expect(decideByName(denyList, "a.wild.test", "203.0.113.11")).toEqual({ verdict: "denied", rule: "deny_out", entry: "*.wild.test" });
    expect(decideByName(denyList, "other.test", "203.0.113.11")).toEqual({ verdict: "allowed", rule: "egress", entry: null });
    expect(decideByName(allowList, "allowed.test", "203.0.113.12")).toEqual({ verdict: "allowed", rule: "allow_out", entry: "allowed.test" });
  });

  it("with egress deny, refuses another name on an allowed domain's address (fronting), but not on an explicit allowOut address", () => {
    expect(decideByName(allowList, "other.test", "203.0.113.11")).toEqual({ verdict: "denied", rule: "egress", entry: null });
    expect(decideByName(allowList, null, "203.0.113.11")).toEqual({ verdict: "denied", rule: "egress", entry: null });
    expect(decideByName(allowList, "other.test", "203.0.113.10")).toEqual({ verdict: "allowed", rule: "allow_out", entry: "203.0.113.10/32" });
  });
});

describe("createFlowInspector", () => {
  const make = (policy: EgressPolicy | null = denyList) => {
    const events: NameInspectionEvent[] = [];
    const inspector = createFlowInspector({ policyOf: (src) => (src === "10.88.0.2" ? policy : null), onDecision: (e) => events.push(e) });
    return { inspector, events };
  };
  let id = 0;
  const pkt = (payload: Uint8Array, seq = 1000, sport = 40000): QueuedPacket => ({ id: ++id, src: "10.88.0.2", sport, dst: "203.0.113.11", dport: 443, seq, payload });

  it("holds a ClientHello's first segment, then decides both segments on the second (a denied SNI)", () => {
    const { inspector, events } = make();
    const hello = clientHello("denied.test");
    const a = pkt(hello.subarray(0, 50), 1000);
    const b = pkt(hello.subarray(50), 1050);
    expect(inspector.packet(a, 0)).toEqual([]);
    expect(inspector.packet(b, 5)).toEqual([{ id: a.id, verdict: "denied" }, { id: b.id, verdict: "denied" }]);
    expect(events).toEqual([{ verdict: "denied", rule: "deny_out", entry: "denied.test", src: "10.88.0.2", dst: "203.0.113.11", dport: 443, name: "denied.test", via: "sni" }]);
    // A packet queued before the connection's mark took effect gets the same verdict.
    expect(inspector.packet(pkt(Buffer.from("x"), 2000), 6)).toEqual([{ id, verdict: "denied" }]);
  });

  it("puts segments that arrive out of order, and retransmissions, back in order", () => {
    const { inspector } = make();
    const hello = clientHello("other.test");
    inspector.start({ src: "10.88.0.2", sport: 40000, dst: "203.0.113.11", dport: 443, seq: 1000 }, 0);
    const second = pkt(hello.subarray(30), 1030);
    expect(inspector.packet(second, 0)).toEqual([]);
    expect(inspector.packet(pkt(hello.subarray(30), 1030), 1)).toEqual([]); // a retransmission
    const verdicts = inspector.packet(pkt(hello.subarray(0, 30), 1000), 2);
    expect(verdicts.map((v) => v.verdict)).toEqual(["allowed", "allowed", "allowed"]);
  });

  it("lets a connection with no name (another protocol, an IP-literal Host) pass unrecorded", () => {
    const { inspector, events } = make();
    expect(inspector.packet(pkt(Buffer.from("SSH-2.0-x\r\n"), 1, 1), 0)).toEqual([{ id, verdict: "allowed" }]);
    expect(inspector.packet(pkt(Buffer.from("GET / HTTP/1.1\r\nHost: 203.0.113.12\r\n\r\n"), 1, 2), 0)).toEqual([{ id, verdict: "allowed" }]);
    expect(events).toEqual([]);
  });

  it("decides a request whose Host does not come within the time bound as a name no entry names", () => {
    const { inspector, events } = make(allowList);
    expect(inspector.packet(pkt(Buffer.from("GET / HTTP/1.1\r\nAccept: */*\r\n"), 1, 3), 0)).toEqual([]);
    expect(inspector.tick(HOLD_LIMITS.ms - 1)).toEqual([]);
    expect(inspector.tick(HOLD_LIMITS.ms)).toEqual([{ id, verdict: "denied" }]);
    expect(events[0]).toMatchObject({ verdict: "denied", rule: "egress", name: null, via: "host" });
  });

  it("refuses a ClientHello padded past the packet bound, also with egress allow", () => {
    const { inspector, events } = make(denyList);
    const hello = clientHello("denied.test");
    let verdicts: { id: number; verdict: string }[] = [];
    for (let i = 0; i < HOLD_LIMITS.packets && !verdicts.length; i++) verdicts = inspector.packet(pkt(hello.subarray(i, i + 1), 5000 + i, 4), i);
    expect(verdicts).toHaveLength(HOLD_LIMITS.packets);
    expect(new Set(verdicts.map((v) => v.verdict))).toEqual(new Set(["denied"]));
    expect(events[0]).toMatchObject({ verdict: "denied", rule: "deny_out", entry: null, name: null, via: "sni" });
  });

  it("does not hold packets of a sandbox without domain rules, or of an unknown address", () => {
    expect(make({ egress: "allow", allowOut: ["allowed.test"], denyOut: ["203.0.113.12"] }).inspector.packet(pkt(clientHello("x.test")), 0)).toEqual([{ id, verdict: "allowed" }]);
    expect(make(null).inspector.packet(pkt(clientHello("denied.test")), 0)).toEqual([{ id, verdict: "allowed" }]);
  });
});
