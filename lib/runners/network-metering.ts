// The runner's side of egress metering and the flight recorder: the hooks its sandbox networking
// calls (a sandbox's final counter reading before its network goes, each recorded event), and the
// periodic read of every sandbox's counters. Counter readings are recorded one batch at a time.
import type { NetworkHooks } from "../network/runner-networking";
import type { CounterReading } from "../network/network-event";
import { createNetworkEventRecorder } from "../network/network-event-recorder";
import { recordCounterReadings } from "../network/record-egress";
import type { SandboxNetworking } from "../network/sandbox-networking";

export function createNetworkMetering(opts: { eventsPerSecond: number; log: (m: string) => void }) {
  const recorder = createNetworkEventRecorder({ perSecond: opts.eventsPerSecond, log: opts.log });
  let queue: Promise<unknown> = Promise.resolve();
  const record = (readings: CounterReading[]) => {
    const next = queue.then(() => recordCounterReadings(readings));
    queue = next.catch(() => {});
    return next;
  };
  const hooks: NetworkHooks = {
    // Thrown back to the networking, which keeps the reading on disk for a later pass.
    onFinalReading: async (r) => void (await record([r])),
    onEvent: (e) => recorder.record(e),
  };
  let reading = false;
  /** Reads every sandbox's counters and records them; a pass still under way makes this one a no-op. */
  async function readAll(network: SandboxNetworking): Promise<void> {
    if (reading) return;
    reading = true;
    try {
      const readings = await network.readCounters();
      await record(readings);
      await network.settled(readings);
    } finally {
      reading = false;
    }
  }
  return { hooks, readAll, close: () => recorder.close() };
}
