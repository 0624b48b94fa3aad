"use client";

import { useState } from "react";
import type { Session } from "../api-types";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { useToast } from "../ui/toast";
import { allowedActions, type SessionAction } from "./session-state";
import { useSessionAction } from "./use-sessions";

const LABELS: Record<SessionAction, string> = { pause: "Pause", resume: "Resume", hibernate: "Hibernate", terminate: "Terminate" };
const DONE: Record<SessionAction, string> = {
  pause: "Pausing: the sandbox freezes and keeps its memory.",
  resume: "Resuming the session.",
  hibernate: "Hibernating: the files are snapshotted and the sandbox freed.",
  terminate: "Terminating the session.",
};

/** The state changes allowed from the session's current state. */
export function SessionActions({ session }: { session: Session }) {
  const toast = useToast();
  const action = useSessionAction();
  const [confirming, setConfirming] = useState(false);
  const allowed = allowedActions(session);

  function run(a: SessionAction) {
    action.mutate({ id: session.id, action: a }, {
      onSuccess: () => {
        setConfirming(false);
        toast.success(DONE[a]);
      },
      onError: (err) => {
        if (a !== "terminate") toast.error(`Could not ${a} the session: ${err.message}`);
      },
    });
  }

  if (allowed.length === 0) return null;
  return (
    <div className="flex flex-wrap gap-2">
      {allowed.filter((a) => a !== "terminate").map((a) => (
        <Button key={a} variant="secondary" pending={action.isPending && action.variables?.action === a} disabled={action.isPending} onClick={() => run(a)}>
          {LABELS[a]}
        </Button>
      ))}
      {allowed.includes("terminate") && (
        <Button variant="danger" disabled={action.isPending} onClick={() => { action.reset(); setConfirming(true); }}>Terminate</Button>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Terminate ${session.id}?`}
        confirmLabel="Terminate session"
        pending={action.isPending && action.variables?.action === "terminate"}
        error={action.variables?.action === "terminate" ? action.error : null}
        onCancel={() => setConfirming(false)}
        onConfirm={() => run("terminate")}
      >
        The sandbox is deleted with every file not in a snapshot. Snapshots you took stay, and can be forked.
      </ConfirmDialog>
    </div>
  );
}
