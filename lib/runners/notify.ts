// "Look now" for runners. The database holds what must be done; this only wakes a runner early
// (delivered when the surrounding transaction commits).
export const RUNNER_CHANNEL = "burrow_runners";

type RawQueryable = { $executeRaw: (query: TemplateStringsArray, ...values: unknown[]) => Promise<number> };

export async function notifyRunner(tx: RawQueryable, runnerId: string | null): Promise<void> {
  if (runnerId) await tx.$executeRaw`SELECT pg_notify(${RUNNER_CHANNEL}, ${runnerId})`;
}
