import { describe, expect, it } from "vitest";
import { createNetworkPolicySync } from "./sync-network-policies";

const policy = (deny: string[]) => ({ egress: "allow", allowOut: [], denyOut: deny });

describe("syncNetworkPolicies", () => {
  it("applies a changed policy once, says so, and says a failure once while retrying it", async () => {
    const calls: string[] = [];
    let fail = false;
    const told: string[] = [];
    const sync = createNetworkPolicySync(
      { applyNetworkPolicy: async (id, p) => { calls.push(`${id}:${p.denyOut.join(",")}`); if (fail) throw new Error("nft: boom"); } },
      () => {},
      (_s, line) => told.push(line),
    );
    const s = (deny: string[], state = "running") => ({ id: "ses_1", tenantId: "ten_1", state, network: policy(deny) });
    await sync([s(["a.com"]), { id: "ses_2", tenantId: "ten_1", state: "running", network: null }]);
    await sync([s(["a.com"])]);
    expect(calls).toEqual(["ses_1:a.com"]); // once; none for a session without a network
    expect(told).toEqual([]); // the first apply after a start is no change
    fail = true;
    await sync([s(["b.com"])]);
    await sync([s(["b.com"])]);
    expect(calls).toEqual(["ses_1:a.com", "ses_1:b.com", "ses_1:b.com"]); // retried
    expect(told).toEqual([expect.stringContaining("not applied, the previous policy stays in force")]);
    fail = false;
    await sync([s(["b.com"])]);
    expect(told.at(-1)).toBe("network policy changed: now in force");
    await sync([s(["b.com"], "hibernated")]);
    expect(calls).toHaveLength(4);
  });
});
