"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { errorMessage } from "../api-client";
import type { ExecResult, Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { formatMs } from "../format";
import { Badge } from "../ui/badge";
import { Button, Spinner } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { inputClass } from "../ui/field";
import { runExec } from "./exec-stream";
import { isUsable } from "./session-state";

type Chunk = { stream: "stdout" | "stderr"; data: string };
type Run = { id: number; command: string; cwd: string; chunks: Chunk[]; result?: ExecResult; error?: string; running: boolean; woke: boolean };

const MAX_RUNS = 20;

/** A shell command box: runs `sh -c <command>` in the session and streams its output. */
export function CommandBox({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const { slug, key } = useTenantApi();
  const queryClient = useQueryClient();
  const [command, setCommand] = useState("");
  const [cwd, setCwd] = useState("/workspace");
  const [runs, setRuns] = useState<Run[]>([]);
  const abort = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const output = useRef<HTMLDivElement>(null);
  const running = runs.some((r) => r.running);
  const usable = isUsable(session);

  useEffect(() => {
    const el = output.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [runs]);
  useEffect(() => () => abort.current?.abort(), []);

  const update = (id: number, change: (r: Run) => Run) => setRuns((rs) => rs.map((r) => (r.id === id ? change(r) : r)));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const cmd = command.trim();
    if (!cmd || running) return;
    const id = nextId.current++;
    const dir = cwd.trim() || "/workspace";
    setRuns((rs) => [...rs.slice(-(MAX_RUNS - 1)), { id, command: cmd, cwd: dir, chunks: [], running: true, woke: session.state !== "running" }]);
    const controller = new AbortController();
    abort.current = controller;
    try {
      const result = await runExec(slug, session.id, { command: ["sh", "-c", cmd], cwd: dir }, {
        onOutput: (stream, data) => update(id, (r) => ({ ...r, chunks: [...r.chunks, { stream, data }] })),
      }, controller.signal);
      update(id, (r) => {
        // If nothing streamed, the exit carries the whole output.
        const chunks = r.chunks.length ? r.chunks : [
          ...(result.stdout ? [{ stream: "stdout" as const, data: result.stdout }] : []),
          ...(result.stderr ? [{ stream: "stderr" as const, data: result.stderr }] : []),
        ];
        return { ...r, chunks, result, running: false };
      });
    } catch (err) {
      const message = (err as Error).name === "AbortError" ? "Stopped waiting for the command (it may still run in the sandbox)." : errorMessage(err);
      update(id, (r) => ({ ...r, error: message, running: false }));
    } finally {
      if (abort.current === controller) abort.current = null;
      // Running a command wakes a paused or hibernated session and counts as activity.
      void queryClient.invalidateQueries({ queryKey: key("session", session.id) });
    }
  }

  const disabledReason = !canWrite ? "Your role cannot run commands." : !usable ? `The session is ${session.state}; commands cannot run in it.` : null;
  return (
    <Card aria-labelledby="command-title">
      <CardHeader id="command-title" title="Run a command" description={<>Runs <code className="font-mono text-xs">sh -c</code> in the sandbox. Paused and hibernated sessions wake first.</>}
        actions={runs.length > 0 && !running ? <Button variant="ghost" size="sm" onClick={() => setRuns([])}>Clear</Button> : undefined} />
      <CardBody className="space-y-3">
        <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row sm:items-end">
          <div className="min-w-0 flex-1">
            <label htmlFor="exec-command" className="block text-sm font-medium text-zinc-800">Command</label>
            <input id="exec-command" className={`mt-1 font-mono ${inputClass}`} placeholder="ls -la" autoComplete="off" spellCheck={false}
              value={command} onChange={(e) => setCommand(e.target.value)} disabled={Boolean(disabledReason)} />
          </div>
          <div className="sm:w-44">
            <label htmlFor="exec-cwd" className="block text-sm font-medium text-zinc-800">Working directory</label>
            <input id="exec-cwd" className={`mt-1 font-mono ${inputClass}`} value={cwd} onChange={(e) => setCwd(e.target.value)}
              disabled={Boolean(disabledReason)} spellCheck={false} />
          </div>
          {running ? (
            <Button variant="secondary" onClick={() => abort.current?.abort()}>Stop</Button>
          ) : (
            <Button type="submit" disabled={Boolean(disabledReason) || !command.trim()}>Run</Button>
          )}
        </form>
        {disabledReason && <p className="text-xs text-zinc-500">{disabledReason}</p>}
        <div ref={output} data-testid="exec-output" role="log" aria-label="Command output" tabIndex={0}
          className="max-h-96 min-h-28 overflow-auto rounded-md bg-zinc-900 p-3 font-mono text-xs leading-relaxed text-zinc-100">
          {runs.length === 0 && <p className="text-zinc-400">Output shows here.</p>}
          {runs.map((r) => <RunView key={r.id} run={r} />)}
        </div>
      </CardBody>
    </Card>
  );
}

function RunView({ run }: { run: Run }) {
  return (
    <div className="mb-3 last:mb-0">
      <div className="text-zinc-400"><span className="text-emerald-400">{run.cwd} $</span> <span className="text-zinc-100">{run.command}</span></div>
      {run.chunks.length > 0 && (
        <pre className="whitespace-pre-wrap break-all">
          {run.chunks.map((c, i) => <span key={i} className={c.stream === "stderr" ? "text-red-300" : undefined}>{c.data}</span>)}
        </pre>
      )}
      {run.running && (
        <div className="flex items-center gap-2 text-zinc-400"><Spinner className="h-3 w-3" /> {run.woke ? "Waking the session and running…" : "Running…"}</div>
      )}
      {run.error && <div role="alert" className="text-red-300">error: {run.error}</div>}
      {run.result && (
        <div className="mt-0.5 flex flex-wrap items-center gap-2 text-zinc-400" data-testid="exec-exit">
          <span className={run.result.exitCode === 0 ? "text-emerald-400" : "text-red-300"}>exit {run.result.exitCode}</span>
          <span>· {formatMs(run.result.durationMs)}</span>
          {run.result.timedOut && <Badge tone="amber">timed out</Badge>}
          {run.result.truncated && <Badge tone="amber">output truncated</Badge>}
        </div>
      )}
    </div>
  );
}
