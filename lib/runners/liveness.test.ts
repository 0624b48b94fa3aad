import { describe, expect, it } from "vitest";
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_SECONDS, isRunnerLost } from "./liveness";

const now = new Date("2026-12-06T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const T = HEARTBEAT_TIMEOUT_SECONDS;
const beat = HEARTBEAT_INTERVAL_MS / 1000;

describe("isRunnerLost", () => {
  it.each([
    // status, last heartbeat (s ago), scheduler watching since (s ago), lost?
    ["online", 0, 3600, false],
    ["online", beat * 2, 3600, false], // one missed beat
    ["online", T - 1, 3600, false], // late, but under the threshold
    ["online", T + 1, 3600, true], // truly silent for longer than the threshold
    ["offline", T + 1, 3600, true], // stopped cleanly and never came back
    ["lost", 3600, 3600, false], // already lost: nothing more to decide
    // The scheduler has just started after the whole stack was down 2 minutes: the runner's old
    // heartbeat says nothing about whether it is coming back; only the scheduler's own watch counts.
    ["online", 120, 0, false],
    ["online", 120, 5, false],
    ["online", 120, T - 1, false],
    ["online", 120, T + 1, true],
    ["offline", 120, 1, false],
  ])("%s, heard %ss ago, watching for %ss: lost=%s", (status, heardAgo, watchingFor, lost) => {
    expect(isRunnerLost({ status, lastHeartbeatAt: ago(heardAgo) }, { now, observingSince: ago(watchingFor) })).toBe(lost);
  });

  it("never takes a threshold of a single missed beat", () => {
    const heard = ago(beat + 0.5);
    expect(isRunnerLost({ status: "online", lastHeartbeatAt: heard }, { now, observingSince: ago(3600), timeoutSeconds: 0 })).toBe(false);
  });
});
