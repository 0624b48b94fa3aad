// The runner's own check that a session is its and in a state it may act on: a miss is a 404 or
// 409 AppError, which the runner's internal server answers as such (not a 500 from the check itself).
import { AppError } from "@/lib/api/errors";
import { runningSessionOnRunner } from "@/lib/runners/runner-sessions";
import { describe, expect, it } from "vitest";
import { sessionRowIn } from "./session-rows";

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => null, (err: unknown) => err);
}

describe("runningSessionOnRunner", () => {
  it("answers 404 for a session that is not on this runner", async () => {
    const { id } = await sessionRowIn("running");
    const err = await errorOf(runningSessionOnRunner(id, "run_someone_else"));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(404);
  });

  it("answers 409 for a session of this runner that is no longer running (failed)", async () => {
    const { id, runner } = await sessionRowIn("failed");
    const err = await errorOf(runningSessionOnRunner(id, runner.id));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
    expect((err as AppError).message).toBe("Session is failed");
  });
});
