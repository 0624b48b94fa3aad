// C. a burst of simultaneous creates, each followed by its first exec.
import type { JsonClient } from "../lib/json-client";
import { type RawContainer, type RawRunc, runcList } from "../lib/raw-runc";
import { round, summarize } from "../lib/stats";
import { countFailures, mergeFailures } from "./failures";
import { checkAborted, forEachLimit, memAvailable, ms, msg, now, r3, sleep } from "./helpers";
import type { Log, SessionsParams } from "./params";
import { Api } from "./tiers";

export async function phaseBurst(api: Api, burstHttp: JsonClient, raw: RawRunc, p: SessionsParams, log: Log, signal?: AbortSignal) {
  const n = p.burst;
  const burstApi = new Api(burstHttp, api.pool, 100, api.created, api.live);
  await sleep(1000);
  const memBefore = memAvailable();
  log(`C: API burst of ${n} simultaneous creates (${p.memoryMib} MiB each), each then exec true`);
  const results: { ok: boolean; createMs: number; firstExecMs: number; error?: string; id?: string }[] = [];
  const t0 = now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      let id: string | undefined;
      let createMs = NaN;
      try {
        id = await burstApi.create(p.memoryMib, p.vcpu);
        createMs = now() - t0;
        await burstApi.exec(id, ["true"]);
        results.push({ ok: true, createMs, firstExecMs: now() - t0, id });
      } catch (err) {
        results.push({ ok: false, createMs, firstExecMs: NaN, error: msg(err), id });
      }
    }),
  );
  const apiWallMs = now() - t0;
  const burstIds = new Set(results.map((r) => r.id).filter((id): id is string => !!id));
  const running = (await runcList()).filter((c) => burstIds.has(c.id.slice("burrow-".length)));
  const memPeak = memAvailable();
  const ok = results.filter((r) => r.ok);
  log(`C: API ${ok.length}/${n} ok in ${(apiWallMs / 1000).toFixed(1)} s; ${running.length} containers up; terminating them`);
  const tTerm = now();
  await forEachLimit([...burstIds], 16, async (id) => {
    await burstApi.terminate(id, false).catch(() => {});
  });
  await forEachLimit([...burstIds], 8, async (id) => {
    await burstApi.waitFor(id, ["terminated"], 180_000, 200).catch((e) => log(`C: ${msg(e)}`));
  });
  const terminateAllMs = now() - tTerm;
  checkAborted(signal);

  await sleep(1000);
  const rawMemBefore = memAvailable();
  log(`C: raw burst of ${n} simultaneous runc run -d, each then runc exec true`);
  const rawResults: { ok: boolean; firstExecMs: number; error?: string }[] = [];
  const containers: RawContainer[] = [];
  const r0 = now();
  await Promise.all(
    Array.from({ length: n }, async () => {
      try {
        const c = raw.prepare({ memoryMib: p.memoryMib });
        containers.push(c);
        await raw.run(c);
        await raw.exec(c, ["true"]);
        rawResults.push({ ok: true, firstExecMs: now() - r0 });
      } catch (err) {
        rawResults.push({ ok: false, firstExecMs: NaN, error: msg(err) });
      }
    }),
  );
  const rawWallMs = now() - r0;
  const rawMemPeak = memAvailable();
  const rawOk = rawResults.filter((r) => r.ok);
  log(`C: raw ${rawOk.length}/${n} ok in ${(rawWallMs / 1000).toFixed(1)} s; deleting them`);
  const rd0 = now();
  await forEachLimit(containers, 16, (c) => raw.remove(c).catch(() => {}));
  const rawDeleteAllMs = now() - rd0;

  const apiFirst = summarize(ok.map((r) => r.firstExecMs));
  const rawFirst = summarize(rawOk.map((r) => r.firstExecMs));
  const errorsByMessage = new Map<string, number>();
  for (const r of results) if (!r.ok) errorsByMessage.set(r.error!.slice(0, 200), (errorsByMessage.get(r.error!.slice(0, 200)) ?? 0) + 1);
  // Every create or exec that failed, on either tier: the phase (and the run) is invalid then.
  const operationFailures = mergeFailures({ api: countFailures(results), raw: countFailures(rawResults) });
  return {
    size: n,
    operationFailures,
    what: "all creates sent at once (one keep-alive socket each); each session's time runs from the common start to its first exec's answer",
    api: {
      succeeded: ok.length,
      failed: n - ok.length,
      successRate: round(ok.length / n, 3),
      createAnsweredMs: ms(summarize(results.filter((r) => Number.isFinite(r.createMs)).map((r) => r.createMs))),
      firstExecDoneMs: ms(apiFirst),
      wallMs: Math.round(apiWallMs),
      containersUpAtEnd: running.length,
      hostMemAvailableDropMiB: round((memBefore - memPeak) / 2 ** 20, 1),
      terminateAllMs: Math.round(terminateAllMs),
      errors: Object.fromEntries(errorsByMessage),
    },
    raw: {
      succeeded: rawOk.length,
      failed: n - rawOk.length,
      successRate: round(rawOk.length / n, 3),
      firstExecDoneMs: ms(rawFirst),
      wallMs: Math.round(rawWallMs),
      hostMemAvailableDropMiB: round((rawMemBefore - rawMemPeak) / 2 ** 20, 1),
      deleteAllMs: Math.round(rawDeleteAllMs),
      errors: rawResults.filter((r) => !r.ok).slice(0, 5).map((r) => r.error),
    },
    ratios: {
      apiOverRaw: { p50: r3(apiFirst.p50, rawFirst.p50), p99: r3(apiFirst.p99, rawFirst.p99), wall: r3(apiWallMs, rawWallMs) },
    },
  };
}
