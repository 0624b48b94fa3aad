// E. hibernate and wake of a session holding ~100 MB in ~10,000 files (made by one exec), against
// pause + tar | zstd and back on raw runc.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RawRunc } from "../lib/raw-runc";
import { checkAborted, now, r3, sh } from "./helpers";
import type { Log, SessionsParams } from "./params";
import type { Api } from "./tiers";

/** Writes ~`mib` MiB in `files` files under /workspace/data: 10 files of 2 MiB, the rest sized
 * exponentially; ~35 % of the files random bytes, the rest source-like text. Deterministic. */
export const GENERATOR = String.raw`
import os, random, sys
files, target = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(20261123)
words = ("const let function return if else for while import export from type interface async await new this "
         "class extends null undefined true false string number Promise Buffer path console log error result "
         "value items index length push map filter").split()
parts, n = [], 0
while n < (4 << 20):
    line = "  " * rnd.randint(0, 4) + " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 11))) + ";\n"
    parts.append(line); n += len(line)
pool = "".join(parts).encode()
big, big_size = min(10, files), 2 << 20
weights = [rnd.expovariate(1.0) for _ in range(files - big)]
scale = max(0, target - big * big_size) / max(1e-9, sum(weights))
total = 0
for i in range(files):
    d = "/workspace/data/d%03d" % (i // 100)
    if i % 100 == 0: os.makedirs(d, exist_ok=True)
    size = big_size if i < big else max(1, int(weights[i - big] * scale))
    if rnd.random() < 0.35:
        data, ext = rnd.randbytes(size), "bin"
    else:
        off = rnd.randrange(0, len(pool) - size) if size < len(pool) else 0
        data, ext = pool[off:off + size], "ts"
    with open("%s/f%05d.%s" % (d, i, ext), "wb") as f: f.write(data)
    total += len(data)
print(total)
`;

export async function phaseHibernate(api: Api, raw: RawRunc, runnerStateDir: string, p: SessionsParams, log: Log, signal?: AbortSignal, runnerOutput?: () => string) {
  const id = await api.create(p.hibernateMemoryMib, p.vcpu);
  const sandboxRoot = path.join(runnerStateDir, id);
  const archiveDir = mkdtempSync(path.join(os.tmpdir(), "burrow-bench-archive-"));
  try {
    await api.exec(id, ["true"]);
    const target = p.workspaceMiB * 2 ** 20;
    log(`E: writing ~${p.workspaceMiB} MiB in ${p.workspaceFiles} files inside the sandbox (python3, one exec)`);
    const g0 = now();
    const gen = await api.exec(id, ["python3", "-c", GENERATOR, String(p.workspaceFiles), String(target)], 300_000);
    const generateMs = now() - g0;
    const writtenBytes = Number(gen.stdout.trim());
    log(`E: wrote ${(writtenBytes / 2 ** 20).toFixed(1)} MiB in ${(generateMs / 1000).toFixed(1)} s`);
    checkAborted(signal);

    // Raw baseline first (page cache equally warm for both): pause a raw container, archive the
    // same files (the sandbox's upper/ and workspace/) with tar | zstd -T0 -3, delete it; then
    // extract into a fresh dir, run a container on it and exec true.
    const archive = path.join(archiveDir, "snapshot.tar.zst");
    const hibernateRaw = async () => {
      const c = raw.prepare({ memoryMib: p.memoryMib });
      await raw.run(c);
      await raw.exec(c, ["true"]);
      const t0 = now();
      await raw.pause(c);
      // The sandbox's writable area: its disk image's mount (disk/), or the root without disk limits.
      const area = existsSync(path.join(sandboxRoot, "disk", "upper")) ? path.join(sandboxRoot, "disk") : sandboxRoot;
      await sh(`tar -C '${area}' -cf - upper workspace | zstd -q -T0 -3 -f -o '${archive}'`);
      if (statSync(archive).size < (p.workspaceMiB << 20) / 4) throw new Error(`the raw archive of ${area} is too small: tar found no files`);
      await raw.remove(c);
      return now() - t0;
    };
    const wakeRaw = async () => {
      const t0 = now();
      const dest = mkdtempSync(path.join(archiveDir, "restore-"));
      await sh(`zstd -q -d -c '${archive}' | tar -C '${dest}' -xf -`);
      const c = raw.prepare({ memoryMib: p.memoryMib, workspace: path.join(dest, "workspace") });
      await raw.run(c);
      await raw.exec(c, ["true"]);
      const ms_ = now() - t0;
      await raw.remove(c);
      rmSync(dest, { recursive: true, force: true });
      return ms_;
    };
    log("E: raw baseline: pause + tar | zstd -T0 -3 + delete");
    const rawHibernateMs = await hibernateRaw();
    const rawArchiveBytes = statSync(archive).size;
    log("E: raw baseline: zstd -d | tar -x + run -d + exec true");
    const rawWakeMs = await wakeRaw();
    const rawHibernateAgainMs = await hibernateRaw();
    const rawWakeAgainMs = await wakeRaw();

    const hibernate = async () => {
      const t0 = now();
      await api.http.ok("POST", `/api/v1/sessions/${id}/hibernate`);
      await api.waitFor(id, ["hibernated"], 300_000, p.pollMs);
      return now() - t0;
    };
    const wake = async () => {
      const t0 = now();
      await api.exec(id, ["true"]);
      return now() - t0;
    };
    log(`E: API hibernate (POST /hibernate → GET shows hibernated, polled every ${p.pollMs} ms)`);
    const hibernateMs = await hibernate();
    const snaps1 = await api.snapshots(id);
    log(`E: hibernated in ${(hibernateMs / 1000).toFixed(2)} s; waking with an exec`);
    const wakeMs = await wake();
    log(`E: woke + first exec in ${(wakeMs / 1000).toFixed(2)} s; hibernating the unchanged workspace again`);
    const hibernateAgainMs = await hibernate();
    const snaps2 = await api.snapshots(id);
    // The runner kept the files (its hibernate cache); without them the wake restores from the
    // store, as on another runner: wait for the cache to be made, then delete it.
    const marker = path.join(sandboxRoot, "hibernate-cache.json");
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    rmSync(sandboxRoot, { recursive: true, force: true });
    log("E: cache deleted; waking from the store");
    const wakeAgainMs = await wake();
    const events = await api.events(id);
    await api.terminate(id);

    const first = snaps1[snaps1.length - 1];
    const second = snaps2.find((s) => !snaps1.some((o) => o.id === s.id));
    const runnerDetail = events
      .filter((e) => e.toState === "hibernated" || (e.toState === "running" && e.cause === "wake"))
      .map((e) => ({ to: e.toState, ...e.detail }));
    log(`E: API hibernate ${hibernateMs.toFixed(0)} ms (raw ${rawHibernateMs.toFixed(0)}), wake ${wakeMs.toFixed(0)} ms (raw ${rawWakeMs.toFixed(0)}), again ${hibernateAgainMs.toFixed(0)} ms, new bytes ${second?.storedBytes}`);
    return {
      workspace: { files: p.workspaceFiles, bytesWritten: writtenBytes, generateMs: Math.round(generateMs), content: "10 files of 2 MiB, the rest exponentially sized; ~35 % of files random bytes, the rest source-like text (python3, seeded)" },
      what: {
        api: `hibernate: POST /hibernate → GET shows hibernated (polled every ${p.pollMs} ms); wake: POST …/exec [\"true\"] on the hibernated session → answer (first wake: on the same runner, from its hibernate cache; second wake: the cache deleted first, so restored from the store as on another runner)`,
        raw: "hibernate: runc pause + tar -cf - upper workspace | zstd -T0 -3 (same files) + runc delete --force; wake: zstd -d | tar -x into a fresh dir + runc run -d + runc exec true",
      },
      api: {
        hibernateMs: Math.round(hibernateMs),
        wakeAndFirstExecMs: Math.round(wakeMs),
        hibernateUnchangedMs: Math.round(hibernateAgainMs),
        wakeAgainAndFirstExecMs: Math.round(wakeAgainMs),
        snapshot: first ? { logicalBytes: first.logicalBytes, storedBytes: first.storedBytes, fileCount: first.fileCount, storedOverLogical: r3(first.storedBytes, first.logicalBytes) } : null,
        unchangedSnapshot: second ? { logicalBytes: second.logicalBytes, newStoredBytes: second.storedBytes, storedOverLogical: r3(second.storedBytes, second.logicalBytes) } : null,
        runnerDetail,
        /** The runner's own lines about this session (step timings of hibernate and wake). */
        runnerLog: (runnerOutput?.() ?? "").split("\n").filter((l) => l.includes(id)).slice(-20),
      },
      raw: {
        hibernateMs: Math.round(rawHibernateMs),
        wakeAndFirstExecMs: Math.round(rawWakeMs),
        hibernateUnchangedMs: Math.round(rawHibernateAgainMs),
        wakeAgainAndFirstExecMs: Math.round(rawWakeAgainMs),
        archiveBytes: rawArchiveBytes,
        archiveOverLogical: first ? r3(rawArchiveBytes, first.logicalBytes) : null,
        unchangedNewBytes: rawArchiveBytes,
      },
      ratios: {
        hibernate: r3(hibernateMs, rawHibernateMs),
        wake: r3(wakeMs, rawWakeMs),
        hibernateUnchanged: r3(hibernateAgainMs, rawHibernateAgainMs),
        wakeAgain: r3(wakeAgainMs, rawWakeAgainMs),
        storedBytes: first ? r3(first.storedBytes, rawArchiveBytes) : null,
        unchangedNewBytes: second ? r3(second.storedBytes, rawArchiveBytes) : null,
      },
    };
  } finally {
    rmSync(archiveDir, { recursive: true, force: true });
  }
}
