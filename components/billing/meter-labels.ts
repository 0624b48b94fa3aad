import { METER_UNITS, type Meter } from "@/lib/usage/meters";

const METER_NAMES: Record<Meter, string> = {
  vcpu_seconds: "vCPU time",
  memory_gib_seconds: "Memory",
  gpu_seconds: "GPU time",
  snapshot_gib_hours: "Snapshot storage",
  network_egress_gib: "Network egress",
};

/** A meter as people read it; an unknown one (a newer server) as its API name. */
export function meterName(meter: string): string {
  return METER_NAMES[meter as Meter] ?? meter;
}

export function meterUnit(meter: string): string {
  return METER_UNITS[meter as Meter] ?? "units";
}

export const METER_COLORS: Record<Meter, string> = {
  vcpu_seconds: "#4f46e5",
  memory_gib_seconds: "#0891b2",
  gpu_seconds: "#c026d3",
  snapshot_gib_hours: "#d97706",
  network_egress_gib: "#059669",
};
