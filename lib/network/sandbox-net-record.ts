// What the runner keeps on disk of each networked sandbox (<stateDir>/.network/sandboxes/<key>.json):
// enough to remove it all after a restart, and the policy the resolver answers by.
import type { EgressPolicy } from "./schemas";

/** meterId names the sandbox's egress counter pair (absent in records from before metering). */
export type SandboxNetRecord = { id: string; key: string; ip: string; policy: EgressPolicy; meterId?: string };
