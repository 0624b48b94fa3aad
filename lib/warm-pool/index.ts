export { claimPooledSandbox, poolable, type ClaimedSandbox, type PoolDemand } from "./claim-pooled-sandbox";
export { parseWarmPoolSetting, type WarmPoolEntry } from "./warm-pool-setting";
export { createRunnerWarmPool, type RunnerWarmPool } from "./runner-warm-pool";
