// Benchmark: the snapshot store on a sandbox-sized workspace (~100 MB in ~10,000 files: source-like
// text of mixed sizes, ~35 % random bytes, a few duplicates and MB-sized files) against
// `tar -cf - | zstd -T0 -3` and its extraction, in the same run, on the same disk.
// Measures: hibernate (write) time, wake (restore) time, stored/logical size, writing the unchanged
// tree again (time, new bytes), writing after a small change. Page cache is warm throughout
// (the tree was just written), for both sides alike.
// Alone: `npx tsx bench/snapshot-store.ts` prints JSON and writes bench/results/snapshot-store.json.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LocalDirStore, restoreSnapshot, writeSnapshot } from "../lib/snapshots/store";
import { runInfo, writeResult } from "./lib/results";

const TARGET_BYTES = 100 << 20;
const FILES = 10_000;
const REPEATS = 3;

// Deterministic PRNG (xorshift32), so every run benchmarks the same tree.
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const WORDS = "const let function return if else for while import export from type interface async await new this class extends null undefined true false string number Promise Buffer path console log error result value items index length push map filter".split(" ");

function sourceText(rnd: () => number, idents: string[], bytes: number): Buffer {
  const parts: string[] = [];
  let len = 0;
  let indent = 0;
  for (let guard = 0; len < bytes && guard < bytes; guard++) {
    let line = "  ".repeat(indent);
    const n = 3 + Math.floor(rnd() * 9);
    for (let j = 0; j < n; j++) line += (rnd() < 0.5 ? WORDS[Math.floor(rnd() * WORDS.length)] : idents[Math.floor(rnd() * idents.length)]) + (rnd() < 0.2 ? "(" : " ");
    const opens = rnd() < 0.3;
    line += opens ? "{\n" : ";\n";
    indent = Math.max(0, Math.min(6, indent + (opens ? 1 : rnd() < 0.3 ? -1 : 0)));
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

function randomBuffer(rnd: () => number, bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i + 4 <= bytes; i += 4) b.writeUInt32LE(Math.floor(rnd() * 4294967296), i);
  for (let i = bytes - (bytes % 4); i < bytes; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

const workspaceFile = (root: string, i: number) => path.join(root, `pkg-${i % 60}`, `mod-${i % 7}`, i % 3 ? "src" : "test", `file-${i}.${i % 5 ? "ts" : "bin"}`);

/** ~100 MB in ~10,000 files, log-uniform sizes (most small), 35 % random, 3 % duplicates. */
export function makeWorkspace(root: string) {
  const rnd = prng(20261123);
  const idents = Array.from({ length: 400 }, (_, i) => `x${createHash("md5").update(String(i)).digest("hex").slice(0, 3 + (i % 8))}`);
  const logu = (a: number, b: number) => Math.exp(Math.log(a) + rnd() * (Math.log(b) - Math.log(a)));
  const raw = Array.from({ length: FILES }, (_, i) => (i < FILES - 100 ? logu(100, 32 << 10) : i < FILES - 10 ? logu(32 << 10, 512 << 10) : logu(1 << 20, 6 << 20)));
  const scale = TARGET_BYTES / raw.reduce((s, x) => s + x, 0);
  let bytes = 0;
  let randomBytes = 0;
  const written: string[] = [];
  for (let i = 0; i < FILES; i++) {
    fs.mkdirSync(path.dirname(workspaceFile(root, i)), { recursive: true });
    const file = workspaceFile(root, i);
    const size = Math.max(0, Math.round(raw[i] * scale));
    if (i > 0 && rnd() < 0.03) {
      fs.copyFileSync(written[Math.floor(rnd() * written.length)], file);
    } else {
      const isRandom = rnd() < 0.35;
      fs.writeFileSync(file, isRandom ? randomBuffer(rnd, size) : sourceText(rnd, idents, size));
      if (isRandom) randomBytes += size;
    }
    bytes += fs.statSync(file).size;
    written.push(file);
  }
  return { files: FILES, bytes, randomFraction: round(randomBytes / bytes, 3) };
}

function makeUpper(root: string) {
  fs.mkdirSync(path.join(root, "etc/apt"), { recursive: true });
  fs.mkdirSync(path.join(root, "root/.cache"), { recursive: true });
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(root, "root/.cache", `c${i}`), `cache entry ${i}\n`.repeat(50));
  fs.writeFileSync(path.join(root, "etc/apt/sources.list"), "deb http://deb.debian.org/debian bookworm main\n");
  execFileSync("mknod", [path.join(root, "etc/removed"), "c", "0", "0"]);
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();
/** Flushes dirty pages first, so each timed step starts from the same writeback state: on this
 * ext4 VM, file creation slows 3-4× while earlier writes are being written back. */
const settle = () => execFileSync("sync");

function sh(script: string) {
  const r = spawnSync("bash", ["-o", "pipefail", "-c", script], { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr?.toString().slice(0, 500)}`);
}

function countTree(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const stack = [root];
  for (let guard = 0; stack.length && guard < 1_000_000; guard++) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  }
  return { files, bytes };
}

export async function runSnapshotStoreBench(log: (msg: string) => void = () => {}): Promise<object> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "burrow-bench-snap-"));
  try {
    const trees = { upper: path.join(base, "src/upper"), workspace: path.join(base, "src/workspace") };
    fs.mkdirSync(trees.upper, { recursive: true });
    fs.mkdirSync(trees.workspace, { recursive: true });
    log("generating the workspace");
    let t = now();
    const dataset = makeWorkspace(trees.workspace);
    makeUpper(trees.upper);
    const generateMs = now() - t;
    const source = countTree(trees.workspace);

    // Rounds interleave the store and the baseline, so a busy moment on a shared machine hits both.
    const writeMs: number[] = [];
    const restoreMs: number[] = [];
    const tarMs: number[] = [];
    const untarMs: number[] = [];
    const tarFile = path.join(base, "baseline.tar.zst");
    let first: Awaited<ReturnType<typeof writeSnapshot>> | null = null;
    let store: LocalDirStore | null = null;
    for (let r = 0; r < REPEATS; r++) {
      log(`round ${r + 1}/${REPEATS}: store write, tar | zstd, store restore, zstd -d | tar -x`);
      const storeDir = path.join(base, `store-${r}`);
      if (r > 0) fs.rmSync(path.join(base, `store-${r - 1}`), { recursive: true, force: true });
      store = new LocalDirStore(storeDir);
      settle();
      t = now();
      first = await writeSnapshot({ store, trees });
      writeMs.push(now() - t);

      settle();
      t = now();
      sh(`tar -C ${JSON.stringify(path.join(base, "src"))} -cf - upper workspace | zstd -q -T0 -3 -c > ${JSON.stringify(tarFile)} && sync ${JSON.stringify(tarFile)}`);
      tarMs.push(now() - t);

      const out = path.join(base, `restored-${r}`);
      settle();
      t = now();
      await restoreSnapshot({ store, manifestHash: first.manifestHash, targets: { upper: path.join(out, "upper"), workspace: path.join(out, "workspace") } });
      restoreMs.push(now() - t);
      const restored = countTree(path.join(out, "workspace"));
      if (restored.files !== source.files || restored.bytes !== source.bytes) throw new Error(`restore mismatch: ${JSON.stringify({ restored, source })}`);
      fs.rmSync(out, { recursive: true, force: true });

      const untar = path.join(base, `untar-${r}`);
      fs.mkdirSync(untar);
      settle();
      t = now();
      sh(`zstd -q -d -c ${JSON.stringify(tarFile)} | tar -C ${JSON.stringify(untar)} -xf -`);
      untarMs.push(now() - t);
      fs.rmSync(untar, { recursive: true, force: true });
    }
    if (!first || !store) throw new Error("no rounds ran");

    log("snapshot store: unchanged tree again, then a small change");
    settle();
    t = now();
    const unchanged = await writeSnapshot({ store, trees, parent: first.manifestHash });
    const unchangedMs = now() - t;
    for (let i = 0; i < 20; i++) fs.appendFileSync(workspaceFile(trees.workspace, i * 487 + 1), `// edit ${i}\n`.repeat(100));
    fs.writeFileSync(path.join(trees.workspace, "new-1mb.log"), "log line\n".repeat(116_000));
    settle();
    t = now();
    const changed = await writeSnapshot({ store, trees, parent: unchanged.manifestHash });
    const changedMs = now() - t;

    const tarBytes = fs.statSync(tarFile).size;

    const logical = first.logicalBytes;
    const info = runInfo();
    const warnings: string[] = [];
    if (info.loadAverage[0] > info.cpuCount / 2) warnings.push(`the machine was busy (1-min load ${info.loadAverage[0]} on ${info.cpuCount} CPUs at the end); absolute figures are noisy`);
    const w = median(writeMs);
    const rs = median(restoreMs);
    const tw = median(tarMs);
    const tr = median(untarMs);
    return {
      name: "snapshot-store",
      ...info,
      warnings,
      parameters: {
        files: FILES,
        targetBytes: TARGET_BYTES,
        repeats: REPEATS,
        store: "LocalDirStore on the same ext4 as the tree (os.tmpdir()), packs fsynced",
        zstd: "Debian zstd CLI, level 3 (store: -T1 per batch × 2 processes, -T0 for files > 8 MB; baseline: -T0)",
        baseline: "tar -cf - upper workspace | zstd -T0 -3 > file && sync file; zstd -d | tar -xf -",
        pageCache: "warm (tree just generated); `sync` before every timed step; same for both sides",
      },
      dataset: { ...dataset, generateMs: Math.round(generateMs) },
      snapshotStore: {
        writeMs: { median: Math.round(w), samples: writeMs.map(Math.round) },
        restoreMs: { median: Math.round(rs), samples: restoreMs.map(Math.round) },
        logicalBytes: logical,
        storedBytes: first.storedBytes,
        storedOverLogical: round(first.storedBytes / logical, 3),
        newBlobs: first.newBlobs,
        writeMBps: round(logical / 2 ** 20 / (w / 1000), 1),
        restoreMBps: round(logical / 2 ** 20 / (rs / 1000), 1),
        unchangedRewrite: { ms: Math.round(unchangedMs), newBlobs: unchanged.newBlobs, storedBytes: unchanged.storedBytes },
        smallChange: { description: "20 files appended to, a 1 MB log added", ms: Math.round(changedMs), newBlobs: changed.newBlobs, storedBytes: changed.storedBytes },
      },
      baseline: {
        tarZstdMs: { median: Math.round(tw), samples: tarMs.map(Math.round) },
        extractMs: { median: Math.round(tr), samples: untarMs.map(Math.round) },
        bytes: tarBytes,
        bytesOverLogical: round(tarBytes / logical, 3),
      },
      vsBaseline: {
        writeTime: round(w / tw),
        restoreTime: round(rs / tr),
        size: round(first.storedBytes / tarBytes, 3),
        unchangedRewriteTime: round(unchangedMs / tw),
      },
    };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await runSnapshotStoreBench((m) => console.error(`[bench] ${m}`));
  const file = writeResult("snapshot-store", result);
  console.log(JSON.stringify(result, null, 2));
  console.error(`[bench] → ${file}`);
}
