import { z } from "zod";

/** What a runner may tell tenants about itself: what sessions can use, nothing about its host. */
export const TENANT_VISIBLE_CAPABILITIES = ["memorySnapshots", "runtime", "network"] as const;

// A tenant's view of a runner: capacity, load and health. Its internal address and host details
// (e.g. the runtime's version) are for operators only: `npm run admin -- runners`.
export const runnerSchema = z.object({
  id: z.string(), name: z.string(), backend: z.string(), status: z.string(),
  unhealthyReason: z.string().nullable().describe("Why this runner cannot run sandboxes (e.g. a missing package, with the command that installs it); null when it can. No session is placed on it"),
  capacity: z.object({ vcpu: z.number(), memoryMib: z.number(), gpus: z.number(), gpuType: z.string().nullable() }),
  used: z.object({ sessions: z.number(), vcpu: z.number(), memoryMib: z.number(), gpus: z.number() }),
  labels: z.record(z.string(), z.string()),
  capabilities: z.object({
    memorySnapshots: z.boolean().optional().describe("Snapshots can hold memory (CRIU)"),
    runtime: z.string().optional().describe("The OCI runtime sandboxes run under, e.g. runc or runsc"),
    network: z.boolean().optional().describe("Sessions with a network can start here (SANDBOX_NETWORK=on)"),
  }),
  lastHeartbeatAt: z.string(), startedAt: z.string(),
});
export const runnerListSchema = z.object({ data: z.array(runnerSchema) });
