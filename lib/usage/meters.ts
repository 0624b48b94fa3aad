// What Burrow meters and bills. Running sessions use compute (vCPU, GPU) and memory; paused ones
// keep only their memory; hibernated ones only their snapshot, metered as storage. Sessions with a
// network also pay for the bytes their sandbox sends out (egress, counted in the kernel).
export const METERS = ["vcpu_seconds", "memory_gib_seconds", "gpu_seconds", "snapshot_gib_hours", "network_egress_gib"] as const;
export type Meter = (typeof METERS)[number];

export const METER_UNITS: Record<Meter, string> = {
  vcpu_seconds: "vCPU-seconds",
  memory_gib_seconds: "GiB-seconds",
  gpu_seconds: "GPU-seconds",
  snapshot_gib_hours: "GiB-hours",
  network_egress_gib: "GiB",
};
