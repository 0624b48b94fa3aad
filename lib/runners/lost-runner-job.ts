// The scheduler's lost-runner job. It counts only silence it has watched itself: from its own
// start, and again from the end of any run that could not read the database (during an outage
// nobody could heartbeat, and nobody saw anything; the runners get the full threshold after it).
import { declareLostRunners, type DeclareLostOptions } from "./declare-lost-runners";

type Declare = (opts: DeclareLostOptions) => ReturnType<typeof declareLostRunners>;

export function createLostRunnerJob(startedAt = new Date(), declare: Declare = declareLostRunners) {
  let observingSince = startedAt;
  return async () => {
    try {
      return await declare({ observingSince });
    } catch (err) {
      observingSince = new Date();
      throw err;
    }
  };
}
