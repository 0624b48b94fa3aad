// vCPU use between two readings of a cgroup's cumulative CPU time: 1.0 means one core busy for the
// whole interval. The counter restarts when a sandbox is recreated (a wake after hibernation), so a
// reading lower than the previous one has no rate: it only starts a new baseline.

export type CpuReading = { cpuSeconds: number; atMs: number };

export function cpuVcpuBetween(previous: CpuReading, next: CpuReading): number | null {
  const wallSeconds = (next.atMs - previous.atMs) / 1000;
  const cpuSeconds = next.cpuSeconds - previous.cpuSeconds;
  if (!(wallSeconds > 0) || cpuSeconds < 0 || !Number.isFinite(cpuSeconds)) return null;
  return cpuSeconds / wallSeconds;
}
