// The runner's side of warm pools (README "Warm pools"): keeps WARM_POOL's started sandboxes per
// template and shape (network "none", no tenant, no env), one at a time and only while they fit the
// runner's free capacity (pooled sandboxes count against it, lib/runners/place-session.ts);
// adopts the ones creates claimed (the session's env is recorded for every exec: it cannot be put
// into a running init); removes unclaimed ones at start and shutdown (a restart starts fresh ones).
// A claimed sandbox is the session's from then on and is destroyed with it, never pooled again.
import { existsSync } from "node:fs";
import { db } from "../db/client";
import type { Session } from "../db/generated/client";
import { newId } from "../ids";
import { isPooledSandboxId, type SandboxBackend, type SandboxRootfs } from "../sandbox";
import { BASE_TEMPLATE } from "../templates/schemas";
import type { WarmPoolEntry } from "./warm-pool-setting";

/** What adopting a claimed sandbox needs of its session. */
const REFILL_AFTER_NOTICE_MS = 200;

type ClaimingSession = Pick<Session, "id" | "sandboxId" | "env">;

type Pool = WarmPoolEntry & { templateId: string; rootfs: SandboxRootfs };

export type RunnerWarmPool = {
  /** Removes what a previous process left unclaimed; call once, after registering. */
  start(): Promise<void>;
  /** Starts sandboxes until each pool is at its size (or the runner is full); one pass at a time. */
  refill(): Promise<void>;
  /**
   * A create may have claimed one: refill shortly, so the replacement's start (CPU-heavy: mount,
   * runc run) does not compete with the claimed session's first requests.
   */
  refillSoon(): void;
  /** Adopts the pooled sandboxes creates gave these sessions (before the pass looks at containers). */
  linkClaimed(sessions: Session[]): Promise<void>;
  /**
   * On a notice: adopts every claim of this runner still to be adopted, in one read, so that the
   * session's first request (sent after the create's answer) usually finds it done.
   */
  adoptClaims(): Promise<void>;
  /** The backend the runner serves sessions with: a claimed sandbox is adopted on its first request. */
  wrap(backend: SandboxBackend): SandboxBackend;
  close(): Promise<void>;
};

export function createRunnerWarmPool(opts: {
  backend: SandboxBackend;
  runnerId: () => string;
  entries: WarmPoolEntry[];
  sandboxEnv: (session: { id: string }) => Record<string, string>;
  diskLimits: boolean;
  log: (message: string) => void;
}): RunnerWarmPool {
  const { backend, log } = opts;
  let pools: Pool[] | null = null;
  let pass: Promise<void> | null = null;
  let closed = false;
  const linking = new Map<string, Promise<void>>();
  let fullSaid = false;
  let soon: NodeJS.Timeout | null = null;

  async function resolvePools(): Promise<Pool[]> {
    const out: Pool[] = [];
    for (const e of opts.entries) {
      if (e.template === BASE_TEMPLATE.name || e.template === BASE_TEMPLATE.id) {
        out.push({ ...e, templateId: BASE_TEMPLATE.id, rootfs: BASE_TEMPLATE.rootfs as SandboxRootfs });
        continue;
      }
      const t = await db().template.findUnique({ where: { id: e.template } });
      if (t) out.push({ ...e, templateId: t.id, rootfs: t.rootfs as SandboxRootfs });
      else log(`warm pool: no template with id ${e.template}; that pool is skipped`);
    }
    return out;
  }

  /**
   * Unclaimed rows go first (no create can take them after this), then their sandboxes. So do
   * claims never adopted whose session ended without this runner (e.g. given up as lost): nothing
   * of the tenant's ran in them. A claim younger than a minute is left to be adopted.
   */
  async function removeUnclaimed(): Promise<void> {
    const me = opts.runnerId();
    const rows = await db().$queryRaw<{ id: string }[]>`
      DELETE FROM pooled_sandboxes p WHERE p.runner_id = ${me} AND (p.session_id IS NULL OR (
        p.claimed_at < (now() AT TIME ZONE 'UTC') - interval '1 minute'
        AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = p.session_id AND s.runner_id = ${me} AND s.state NOT IN ('terminated', 'failed'))))
      RETURNING p.id`;
    const listed = await backend.list().catch(() => []);
    const ids = new Set([...rows.map((r) => r.id), ...listed.map((c) => c.id).filter(isPooledSandboxId)]);
    const claimed = new Set((await db().pooledSandbox.findMany({ where: { id: { in: [...ids] } }, select: { id: true } })).map((r) => r.id));
    for (const id of ids) if (!claimed.has(id)) await backend.destroy(id).catch((e: Error) => log(`warm pool: removing ${id}: ${e.message}`));
  }

  async function fits(p: Pool): Promise<boolean> {
    const [row] = await db().$queryRaw<{ vcpu: number; memory: number }[]>`
      SELECT r.vcpu - COALESCE((SELECT SUM(s.vcpu) FROM sessions s WHERE s.runner_id = r.id AND s.state IN ('pending', 'starting', 'running', 'paused', 'hibernating')), 0)
                    - COALESCE((SELECT SUM(p.vcpu) FROM pooled_sandboxes p WHERE p.runner_id = r.id AND p.session_id IS NULL), 0) AS vcpu,
             r.memory_mib - COALESCE((SELECT SUM(s.memory_mib) FROM sessions s WHERE s.runner_id = r.id AND s.state IN ('pending', 'starting', 'running', 'paused', 'hibernating')), 0)
                    - COALESCE((SELECT SUM(p.memory_mib) FROM pooled_sandboxes p WHERE p.runner_id = r.id AND p.session_id IS NULL), 0) AS memory
      FROM runners r WHERE r.id = ${opts.runnerId()}`;
    return Boolean(row) && Number(row.vcpu) >= p.vcpu && Number(row.memory) >= p.memoryMib;
  }

  async function startOne(p: Pool): Promise<void> {
    const id = newId("pol");
    const shape = { vcpu: p.vcpu, memoryMib: p.memoryMib, diskMib: p.diskMib };
    await db().pooledSandbox.create({ data: { id, runnerId: opts.runnerId(), templateId: p.templateId, rootfs: p.rootfs as object, ...shape, status: "starting" } });
    try {
      const disk = opts.diskLimits ? { diskMib: p.diskMib } : {};
      await backend.prepareFiles(id, disk);
      await backend.create({ id, rootfs: p.rootfs, resources: { vcpu: p.vcpu, memoryMib: p.memoryMib, ...disk }, env: {}, network: null });
      const { count } = await db().pooledSandbox.updateMany({ where: { id, status: "starting" }, data: { status: "ready", readyAt: new Date() } });
      if (count === 0) await backend.destroy(id); // removed meanwhile (shutdown)
    } catch (e) {
      log(`warm pool: starting ${id}: ${(e as Error).message}`);
      await db().pooledSandbox.deleteMany({ where: { id, sessionId: null } }).catch(() => {});
      await backend.destroy(id).catch(() => {});
      throw e;
    }
  }

  async function refillPass(): Promise<void> {
    pools ??= await resolvePools();
    for (const p of pools) {
      for (let i = 0; i < p.size && !closed; i++) {
        const have = await db().pooledSandbox.count({
          where: { runnerId: opts.runnerId(), templateId: p.templateId, vcpu: p.vcpu, memoryMib: p.memoryMib, diskMib: p.diskMib, sessionId: null },
        });
        if (have >= p.size) break;
        if (!(await fits(p))) {
          if (!fullSaid) log(`warm pool ${p.template}:${p.vcpu}x${p.memoryMib}x${p.diskMib}: the runner is full; it refills when capacity frees up`);
          fullSaid = true;
          break;
        }
        fullSaid = false;
        await startOne(p);
      }
    }
  }

  /**
   * Adopts the session's claimed sandbox while its pooled row says it is still to be adopted (a
   * session woken after a hibernate keeps sandboxId but has a sandbox of its own by then).
   */
  function refill(): Promise<void> {
    if (closed || opts.entries.length === 0) return Promise.resolve();
    pass ??= refillPass().catch((e: Error) => log(`warm pool: ${e.message}`)).finally(() => (pass = null));
    return pass;
  }

  async function link(session: ClaimingSession, rowChecked = false): Promise<void> {
    if (!session.sandboxId || backend.isClaimed?.(session.id)) return;
    const pending = linking.get(session.id);
    if (pending) return pending;
    const p = (async () => {
      if (!rowChecked && !(await db().pooledSandbox.findFirst({ where: { id: session.sandboxId!, sessionId: session.id }, select: { id: true } }))) return;
      await backend.claimPooled!(session.sandboxId!, session.id, { ...(session.env as Record<string, string>), ...opts.sandboxEnv(session) });
      // The sandbox is the session's now (sessions.sandbox_id, and claim.json on this host): the
      // row only said "to be adopted". Not awaited: the request that adopted it goes on at once.
      void db().pooledSandbox.deleteMany({ where: { id: session.sandboxId!, sessionId: session.id } }).catch((e: Error) => log(`warm pool: ${e.message}`));
    })().finally(() => linking.delete(session.id));
    linking.set(session.id, p);
    return p;
  }

  async function adoptClaims(): Promise<void> {
    const rows = await db().$queryRaw<{ id: string; sandbox_id: string; env: Session["env"] }[]>`
      SELECT s.id, s.sandbox_id, s.env FROM pooled_sandboxes p JOIN sessions s ON s.id = p.session_id AND s.sandbox_id = p.id
      WHERE p.runner_id = ${opts.runnerId()} AND p.status = 'claimed' AND s.state <> 'terminated'`;
    for (const r of rows) {
      await link({ id: r.id, sandboxId: r.sandbox_id, env: r.env }, true).catch((e: Error) => log(`warm pool: adopting ${r.sandbox_id} for ${r.id}: ${e.message}`));
    }
  }

  /** A request can reach the runner before its reconcile pass saw the claim: adopt it now (one lookup). */
  async function ensureLinked(sessionId: string): Promise<void> {
    if (backend.isClaimed?.(sessionId) || existsSync(backend.paths(sessionId).root)) return;
    // The session and its claim in one read: only a session of this runner whose pooled row is still to be adopted.
    const [row] = await db().$queryRaw<{ id: string; sandbox_id: string; env: Session["env"] }[]>`
      SELECT s.id, s.sandbox_id, s.env FROM sessions s JOIN pooled_sandboxes p ON p.id = s.sandbox_id AND p.session_id = s.id
      WHERE s.id = ${sessionId} AND s.runner_id = ${opts.runnerId()} AND s.state <> 'terminated'`;
    if (row) await link({ id: row.id, sandboxId: row.sandbox_id, env: row.env }, true);
  }

  return {
    async start() {
      await removeUnclaimed();
    },
    refill,
    adoptClaims,
    refillSoon() {
      if (soon || closed || opts.entries.length === 0) return;
      soon = setTimeout(() => {
        soon = null;
        void refill();
      }, REFILL_AFTER_NOTICE_MS);
    },
    async linkClaimed(sessions) {
      const candidates = sessions.filter((s) => s.sandboxId && s.state !== "terminated" && !backend.isClaimed?.(s.id));
      if (!candidates.length) return;
      const toAdopt = new Set((await db().pooledSandbox.findMany({ where: { sessionId: { in: candidates.map((s) => s.id) } }, select: { sessionId: true } })).map((r) => r.sessionId));
      for (const s of candidates) {
        if (toAdopt.has(s.id)) {
          await link(s).catch((e: Error) => log(`warm pool: adopting ${s.sandboxId} for ${s.id}: ${e.message}`));
        }
      }
    },
    wrap(inner) {
      const linked = <A extends unknown[], R>(fn: (id: string, ...rest: A) => Promise<R>) => async (id: string, ...rest: A) => {
        await ensureLinked(id);
        return fn(id, ...rest);
      };
      return {
        ...inner,
        exec: linked(inner.exec.bind(inner)),
        readFile: linked(inner.readFile.bind(inner)),
        writeFile: linked(inner.writeFile.bind(inner)),
        ...(inner.openTerminal ? { openTerminal: linked(inner.openTerminal.bind(inner)) } : {}),
        ...(inner.listeningPorts ? { listeningPorts: linked(inner.listeningPorts.bind(inner)) } : {}),
      };
    },
    async close() {
      closed = true;
      if (soon) clearTimeout(soon);
      await pass;
      await removeUnclaimed().catch((e: Error) => log(`warm pool: ${e.message}`));
    },
  };
}
