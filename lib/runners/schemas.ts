import { z } from "zod";

export const runnerSchema = z.object({
  id: z.string(), name: z.string(), address: z.string(), backend: z.string(), status: z.string(),
  capacity: z.object({ vcpu: z.number(), memoryMib: z.number(), gpus: z.number(), gpuType: z.string().nullable() }),
  used: z.object({ sessions: z.number(), vcpu: z.number(), memoryMib: z.number(), gpus: z.number() }),
  labels: z.record(z.string(), z.string()), capabilities: z.record(z.string(), z.unknown()),
  lastHeartbeatAt: z.string(), startedAt: z.string(),
});
export const runnerListSchema = z.object({ data: z.array(runnerSchema) });
