// Bounded polling for tests: wait until something has happened instead of sleeping a fixed time
// and hoping it has. A fixed sleep before a positive check either wastes time or flakes on a slow
// machine; a poll returns as soon as the condition holds and names what never happened.

export type WaitForOptions = {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between probes (default 25 ms). */
  intervalMs?: number;
  /** What is awaited, for the error message ("the session to pause"). */
  what: string;
};

/**
 * Calls `probe` until it returns a truthy value and returns that value; throws, naming `what` and
 * the last value seen, when `timeoutMs` passes first. Bounded in time and in number of probes.
 */
type Truthy<T> = Exclude<T, null | undefined | false | 0 | "">;

export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitForOptions): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  const maxProbes = Math.ceil(timeoutMs / intervalMs) + 1;
  let last: T | undefined;
  for (let i = 0; i < maxProbes; i++) {
    last = await probe();
    if (last) return last as Truthy<T>;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what} (last: ${JSON.stringify(last)})`);
}
