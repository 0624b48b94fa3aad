// The runner's WARM_POOL setting: `template:VCPUxMEMORYxDISK:SIZE`, comma-separated, e.g.
// `base:1x512x1024:2` keeps two started `base` sandboxes of 1 vCPU, 512 MiB and 1024 MiB of disk.
export type WarmPoolEntry = { template: string; vcpu: number; memoryMib: number; diskMib: number; size: number };

const ENTRY = /^([A-Za-z0-9_-]+):(\d+(?:\.\d+)?)x(\d+)x(\d+):(\d+)$/;

export function parseWarmPoolSetting(value: string): WarmPoolEntry[] {
  const entries: WarmPoolEntry[] = [];
  for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = ENTRY.exec(part);
    if (!m) throw new Error(`WARM_POOL: '${part}' is not template:VCPUxMEMORYxDISK:SIZE (e.g. base:1x512x1024:2)`);
    const entry = { template: m[1], vcpu: Number(m[2]), memoryMib: Number(m[3]), diskMib: Number(m[4]), size: Number(m[5]) };
    if (entry.vcpu <= 0 || entry.memoryMib <= 0 || entry.diskMib <= 0) throw new Error(`WARM_POOL: '${part}' needs a vCPU, memory and disk above 0`);
    entries.push(entry);
  }
  return entries;
}
