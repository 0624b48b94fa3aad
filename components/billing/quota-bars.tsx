import { formatBytes, formatMib } from "../format";
import { UsageBar } from "../runners/usage-bar";
import { Card, CardBody, CardHeader } from "../ui/card";
import type { Quota } from "./billing-types";

/** The plan's quotas: how much of each is in use now. */
export function QuotaCard({ quotas, planName }: { quotas: Quota[]; planName: string }) {
  if (quotas.length === 0) return null;
  return (
    <Card className="mt-6" aria-labelledby="quotas-title">
      <CardHeader id="quotas-title" title="Quotas" description={`Limits of the ${planName} plan (or this tenant's overrides); new sessions past a limit are refused.`} />
      <CardBody className="grid grid-cols-1 gap-4 sm:grid-cols-2" >
        {quotas.map((q) => (
          <div key={q.name} data-testid="quota" data-quota={q.name}>
            <UsageBar label={quotaLabel(q.name)} used={q.used} total={q.limit} format={quotaFormat(q.name)} />
          </div>
        ))}
      </CardBody>
    </Card>
  );
}

const LABELS: Record<string, string> = {
  runningSessions: "Running sessions",
  maxRunningSessions: "Running sessions",
  running_sessions: "Running sessions",
  vcpu: "vCPU",
  maxVcpu: "vCPU",
  memoryMib: "Memory",
  maxMemoryMib: "Memory",
  memory_mib: "Memory",
  snapshotBytes: "Snapshot storage",
  maxSnapshotBytes: "Snapshot storage",
  snapshot_bytes: "Snapshot storage",
};

function quotaLabel(name: string): string {
  return LABELS[name] ?? name.replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

function quotaFormat(name: string): (n: number) => string {
  if (/bytes/i.test(name)) return formatBytes;
  if (/mib/i.test(name)) return formatMib;
  return (n) => (Number.isInteger(n) ? n.toLocaleString() : n.toLocaleString(undefined, { maximumFractionDigits: 2 }));
}
