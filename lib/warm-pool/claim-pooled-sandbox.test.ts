import { describe, expect, it } from "vitest";
import { poolable, type PoolDemand } from "./claim-pooled-sandbox";

const demand: PoolDemand = { sessionId: "ses_1", templateId: "tpl_base", rootfs: { kind: "host" }, vcpu: 1, memoryMib: 512, diskMib: 1024, gpus: 0, network: null };

describe("poolable", () => {
  it("takes network-none sessions without a snapshot or GPUs", () => {
    expect(poolable(demand)).toBe(true);
  });

  it("leaves forks, sessions with a network and GPU sessions to the cold path", () => {
    expect(poolable({ ...demand, fromSnapshot: "snp_1" })).toBe(false);
    expect(poolable({ ...demand, network: { egress: "allow-all" } })).toBe(false);
    expect(poolable({ ...demand, gpus: 1 })).toBe(false);
  });
});
