// Shapes of the API's answers as the console reads them (see lib/api/endpoints.ts for the source).
import type { Role } from "@/lib/auth/scopes";
import type { SessionState } from "@/lib/sessions/state-machine";

export type { Role, SessionState };

export type Page<T> = { data: T[]; nextCursor: string | null };

export type Tenant = { id: string; slug: string; name: string; createdAt: string };
export type MyTenant = Tenant & { role: Role };
/** GET/PATCH /tenant: the tenant with its settings. */
export type TenantSettings = Tenant & { logRetentionDays: number; spanRetentionDays: number };

export type Me = {
  tenant: Tenant;
  actor: { type: "user" | "key" | "system"; id: string | null; label: string };
  role: Role | null;
  scopes: string[];
};

export type ApiKey = {
  id: string;
  name: string;
  start: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: "active" | "expired" | "revoked";
};
export type CreatedApiKey = ApiKey & { secret: string };

export type Member = { id: string; userId: string; email: string; name: string | null; role: Role; createdAt: string };

export type Invitation = {
  id: string;
  role: Role;
  email: string | null;
  expiresAt: string;
  createdAt: string;
  status: "pending" | "accepted" | "expired" | "revoked";
};
export type CreatedInvitation = Invitation & { token: string; url: string };

export type AuditEvent = {
  id: string;
  action: string;
  actor: { type: "user" | "key" | "system"; id: string | null; label: string };
  target: { type: string; id: string } | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
};

export type Resources = { vcpu: number; memoryMib: number; diskMib: number; gpus: number };
export type IdlePolicy = { pauseAfterSeconds: number | null; hibernateAfterSeconds: number | null };

export type Session = {
  id: string;
  state: SessionState;
  desiredState: "running" | "paused" | "hibernated" | "terminated";
  template: string;
  runnerId: string | null;
  resources: Resources;
  env: Record<string, string>;
  labels: Record<string, string>;
  metadata: Record<string, unknown>;
  idle: IdlePolicy;
  maxLifetimeSeconds: number;
  lifetimeUsedSeconds: number;
  lastActivityAt: string;
  stateChangedAt: string;
  failureReason: string | null;
  snapshotId: string | null;
  fromSnapshotId: string | null;
  createdAt: string;
  terminatedAt: string | null;
  postMortem?: PostMortem | null;
};

/** Why a limit stopped the sandbox or a process in it (the API's postMortem). */
export type PostMortem = {
  reason: "oom_kill" | "pids_limit" | "disk_full" | "lifetime" | "spend_limit";
  at: string;
  message: string;
  peakMemoryBytes: number | null;
  lastLines: { stream: string; line: string; at: string }[];
};

export type SessionEvent = { id: string; fromState: string | null; toState: string; cause: string; detail: Record<string, unknown>; at: string };

export type ExecResult = { exitCode: number; stdout: string; stderr: string; durationMs: number; timedOut: boolean; truncated: boolean };

export type Snapshot = {
  id: string;
  sessionId: string | null;
  parentId: string | null;
  kind: "filesystem" | "memory";
  reason: string;
  status: string;
  logicalBytes: number;
  storedBytes: number;
  fileCount: number;
  createdAt: string;
  expiresAt: string | null;
};

export type Template = {
  id: string;
  name: string;
  builtIn: boolean;
  rootfs: { kind: string };
  resources: Resources;
  env: Record<string, string>;
  idle: IdlePolicy;
  maxLifetimeSeconds: number;
  retentionDays: number;
};

export type Runner = {
  id: string;
  name: string;
  address: string;
  backend: string;
  status: string;
  capacity: { vcpu: number; memoryMib: number; gpus: number; gpuType: string | null };
  used: { sessions: number; vcpu: number; memoryMib: number; gpus: number };
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  lastHeartbeatAt: string;
  startedAt: string;
};
