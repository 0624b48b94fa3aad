// The decision table of decideLifecycleStep, written out: every (state × desired × container) row,
// with "a/b" where the step depends on a snapshot (a: none, b: the session has one), and "f;g" where
// it depends on the session's files being on this host (f: they are, g: they are gone). The table is
// the spec; a row missing or extra fails too.
import { describe, expect, it } from "vitest";
import { CONTAINER_OBSERVATIONS, decideLifecycleStep, observeContainer, type LifecycleStep } from "./lifecycle-step";
import { DESIRED_STATES, SESSION_STATES, type DesiredState, type SessionState } from "./state-machine";

const TABLE = `
state        desired     | running          paused           stopped          absent
pending      running     | start            start            start            start
pending      paused      | start            start            start            start
pending      hibernated  | hibernate-unstarted hibernate-unstarted hibernate-unstarted hibernate-unstarted
pending      terminated  | terminate        terminate        terminate        terminate
starting     running     | start/wake       start/wake       start/wake       start/wake
starting     paused      | start/wake       start/wake       start/wake       start/wake
starting     hibernated  | start/wake       start/wake       start/wake       start/wake
starting     terminated  | terminate        terminate        terminate        terminate
running      running     | none             none             none             recover;mark-lost/roll-back
running      paused      | pause            pause            pause            recover;mark-lost/roll-back
running      hibernated  | hibernate        hibernate        hibernate        hibernate
running      terminated  | terminate        terminate        terminate        terminate
paused       running     | resume           resume           resume           recover;mark-lost/roll-back
paused       paused      | pause            none             none             recover;mark-lost/roll-back
paused       hibernated  | hibernate        hibernate        hibernate        hibernate
paused       terminated  | terminate        terminate        terminate        terminate
hibernating  running     | abort-hibernate  abort-hibernate  finish-hibernate finish-hibernate
hibernating  paused      | abort-hibernate  abort-hibernate  finish-hibernate finish-hibernate
hibernating  hibernated  | hibernate        hibernate        hibernate        hibernate
hibernating  terminated  | terminate        terminate        terminate        terminate
hibernated   running     | wake             wake             wake             wake
hibernated   paused      | wake             wake             wake             wake
hibernated   hibernated  | none             none             none             none
hibernated   terminated  | terminate        terminate        terminate        terminate
terminating  running     | terminate        terminate        terminate        terminate
terminating  paused      | terminate        terminate        terminate        terminate
terminating  hibernated  | terminate        terminate        terminate        terminate
terminating  terminated  | terminate        terminate        terminate        terminate
terminated   running     | none             none             none             none
terminated   paused      | none             none             none             none
terminated   hibernated  | none             none             none             none
terminated   terminated  | none             none             none             none
failed       running     | none             none             none             none
failed       paused      | none             none             none             none
failed       hibernated  | none             none             none             none
failed       terminated  | terminate        terminate        terminate        terminate
`;

/** The steps each span covers (the names the traces have always shown); the other steps are bookkeeping, without a span. */
const SPAN_OF_STEPS: Record<string, LifecycleStep[]> = {
  "session.start": ["start"],
  "session.wake": ["wake"],
  "session.pause": ["pause"],
  "session.resume": ["resume", "abort-hibernate", "finish-hibernate"],
  "session.hibernate": ["hibernate"],
  "session.recover": ["recover"],
  "session.terminate": ["terminate"],
};
const spanOf = (step: string) => Object.entries(SPAN_OF_STEPS).find(([, steps]) => steps.includes(step as LifecycleStep))?.[0] ?? null;

type Row = { state: SessionState; desired: DesiredState; container: (typeof CONTAINER_OBSERVATIONS)[number]; hasSnapshot: boolean; filesHere: boolean; step: string };

function rowsOf(table: string): Row[] {
  const lines = table.trim().split("\n").slice(1);
  return lines.flatMap((line) => {
    const [left, right] = line.split("|");
    const [state, desired] = left.trim().split(/\s+/) as [SessionState, DesiredState];
    const cells = right.trim().split(/\s+/);
    expect(cells, line).toHaveLength(CONTAINER_OBSERVATIONS.length);
    return CONTAINER_OBSERVATIONS.flatMap((container, i) => [true, false].flatMap((filesHere) => [false, true].map((hasSnapshot) => {
      const [withFiles, withoutFiles = withFiles] = cells[i].split(";");
      const [without, withSnapshot = without] = (filesHere ? withFiles : withoutFiles).split("/");
      return { state, desired, container, hasSnapshot, filesHere, step: hasSnapshot ? withSnapshot : without };
    })));
  });
}

const rows = rowsOf(TABLE);

describe("decideLifecycleStep", () => {
  it("covers every state × desired × container × snapshot × files once", () => {
    const keys = rows.map((r) => `${r.state} ${r.desired} ${r.container} ${r.hasSnapshot} ${r.filesHere}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(SESSION_STATES.length * DESIRED_STATES.length * CONTAINER_OBSERVATIONS.length * 2 * 2);
  });

  it.each(rows)("$state -> $desired, container $container, snapshot $hasSnapshot, files $filesHere: $step", ({ step, ...input }) => {
    expect(decideLifecycleStep(input)).toEqual({ step, spanName: spanOf(step) });
  });

  it("reads the runtime's statuses: created (never started) counts as stopped, no entry as absent", () => {
    expect(observeContainer("running")).toBe("running");
    expect(observeContainer("paused")).toBe("paused");
    expect(observeContainer("created")).toBe("stopped");
    expect(observeContainer("stopped")).toBe("stopped");
    expect(observeContainer(undefined)).toBe("absent");
  });
});
