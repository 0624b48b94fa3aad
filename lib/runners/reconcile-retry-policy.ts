// What the runner does when converging a session throws: try again in a second (its next turn,
// or sooner on a notice; no longer back-off), and after RECONCILE_MAX_ATTEMPTS failures in a row
// give up: end its terminals, delete the container keeping upper/ and workspace/ (never the user's
// files), and mark it failed with the last error, unless it already is failed or terminated. A
// success forgets the count. Pure bookkeeping, one instance per runner process.

export const RECONCILE_MAX_ATTEMPTS = 3;

export type ReconcileFailureVerdict =
  | { action: "retry"; attempts: number }
  | { action: "give-up"; attempts: number; keepFiles: true; reason: string };

export class ReconcileRetries {
  private readonly failures = new Map<string, number>();

  constructor(private readonly maxAttempts = RECONCILE_MAX_ATTEMPTS) {}

  succeeded(sessionId: string): void {
    this.failures.delete(sessionId);
  }

  failed(sessionId: string, reason: string): ReconcileFailureVerdict {
    const attempts = (this.failures.get(sessionId) ?? 0) + 1;
    if (attempts < this.maxAttempts) {
      this.failures.set(sessionId, attempts);
      return { action: "retry", attempts };
    }
    this.failures.delete(sessionId); // a session that is not marked failed (e.g. gone meanwhile) starts counting anew
    return { action: "give-up", attempts, keepFiles: true, reason };
  }

  attemptsOf(sessionId: string): number {
    return this.failures.get(sessionId) ?? 0;
  }
}

/** After giving up: whether the session as read again is still to be marked failed (not if gone, failed or terminated). */
export function shouldMarkFailed(freshState: string | undefined): boolean {
  return freshState !== undefined && freshState !== "failed" && freshState !== "terminated";
}
