// Watches one runner's row while a benchmark runs: did it ever leave `online`, and how far apart
// were its heartbeats? A heartbeat gap is the time between two consecutive distinct
// `lastHeartbeatAt` values seen; the age is, at each sample, how long ago the last one was (so a
// stall still going on when the watch stops counts too).

export type RunnerRow = { status: string; lastHeartbeatAt: Date };

export type RunnerWatchResult = {
  samples: number;
  /** How many samples saw each status. */
  statuses: Record<string, number>;
  everLeftOnline: boolean;
  /** Distinct heartbeats seen. */
  beats: number;
  heartbeatGapMaxS: number | null;
  heartbeatAgeMaxS: number | null;
  /** Samples whose read failed (the database busy or gone). */
  readErrors: number;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function watchRunner(read: () => Promise<RunnerRow>, everyMs = 250): { stop: () => Promise<RunnerWatchResult> } {
  const result: RunnerWatchResult = { samples: 0, statuses: {}, everLeftOnline: false, beats: 0, heartbeatGapMaxS: null, heartbeatAgeMaxS: null, readErrors: 0 };
  let previousBeat: number | null = null;
  let stopped = false;
  const max = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));

  const loop = (async () => {
    while (!stopped) {
      try {
        const row = await read();
        result.samples++;
        result.statuses[row.status] = (result.statuses[row.status] ?? 0) + 1;
        if (row.status !== "online") result.everLeftOnline = true;
        const beat = row.lastHeartbeatAt.getTime();
        if (beat !== previousBeat) {
          if (previousBeat !== null) result.heartbeatGapMaxS = max(result.heartbeatGapMaxS, (beat - previousBeat) / 1000);
          previousBeat = beat;
          result.beats++;
        }
        result.heartbeatAgeMaxS = max(result.heartbeatAgeMaxS, (Date.now() - beat) / 1000);
      } catch {
        result.readErrors++;
      }
      await sleep(everyMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      // One read at most is in flight; do not wait on it forever.
      await Promise.race([loop, sleep(10_000)]);
      const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
      return { ...result, statuses: { ...result.statuses }, heartbeatGapMaxS: round(result.heartbeatGapMaxS), heartbeatAgeMaxS: round(result.heartbeatAgeMaxS) };
    },
  };
}
