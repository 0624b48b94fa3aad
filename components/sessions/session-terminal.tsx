"use client";

// The session page's Terminal panel: an interactive shell in the sandbox (xterm.js), opened on
// click, fitted to its box (the shell hears every resize), and ended with a visible line saying
// why: "terminal closed: session paused".
import "@xterm/xterm/css/xterm.css";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { Terminal } from "@xterm/xterm";
import { errorMessage } from "../api-client";
import type { Session } from "../api-types";
import { useTenantApi } from "../console/console-context";
import { Button } from "../ui/button";
import { Card, CardBody, CardHeader } from "../ui/card";
import { isUsable } from "./session-state";
import { TerminalConnection } from "./terminal-connection";

type Status = { kind: "idle" } | { kind: "opening" } | { kind: "open" } | { kind: "closed"; reason: string } | { kind: "failed"; message: string };

const THEME = { background: "#18181b", foreground: "#e4e4e7", cursor: "#a5b4fc", selectionBackground: "#3f3f46" };

export function SessionTerminal({ session, canWrite }: { session: Session; canWrite: boolean }) {
  const { slug, key } = useTenantApi();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const box = useRef<HTMLDivElement>(null);
  const live = useRef<{ conn: TerminalConnection; observer: ResizeObserver } | null>(null);
  /** The xterm on screen: kept after its terminal closed (its last lines stay readable). */
  const shown = useRef<Terminal | null>(null);

  const teardown = () => {
    const l = live.current;
    if (!l) return;
    live.current = null;
    l.observer.disconnect();
    l.conn.dispose();
  };

  useEffect(() => {
    const onUnload = () => live.current?.conn.closeOnUnload();
    window.addEventListener("pagehide", onUnload);
    return () => {
      window.removeEventListener("pagehide", onUnload);
      live.current?.conn.closeOnUnload();
      teardown();
      shown.current?.dispose();
    };
  }, []);

  async function openTerminal() {
    if (!box.current) return;
    teardown();
    setStatus({ kind: "opening" });
    // xterm touches the DOM when it loads: import it only here, in the browser.
    const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
    shown.current?.dispose();
    box.current.replaceChildren();
    const term = new Terminal({ cursorBlink: true, fontSize: 13, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", theme: THEME, scrollback: 5000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current);
    shown.current = term;
    fit.fit();
    const conn = new TerminalConnection(slug, session.id, {
      onOutput: (bytes) => term.write(bytes),
      onClosed: (reason) => {
        term.write(`\r\n\x1b[33mterminal closed: ${reason}\x1b[0m\r\n`);
        term.options.cursorBlink = false;
        setStatus({ kind: "closed", reason });
        if (live.current?.conn === conn) teardown();
        void queryClient.invalidateQueries({ queryKey: key("session", session.id) });
      },
    });
    const observer = new ResizeObserver(() => fit.fit());
    live.current = { conn, observer };
    term.onData((data) => conn.input(data));
    term.onResize(({ cols, rows }) => conn.resize(cols, rows));
    observer.observe(box.current);
    try {
      await conn.open({ cols: term.cols, rows: term.rows });
      conn.resize(term.cols, term.rows); // in case the box changed size while it opened
      setStatus({ kind: "open" });
      term.focus();
    } catch (err) {
      if (live.current?.conn === conn) teardown();
      term.write(`\x1b[31mcould not open a terminal: ${errorMessage(err)}\x1b[0m\r\n`);
      setStatus({ kind: "failed", message: errorMessage(err) });
    } finally {
      // Opening wakes a paused or hibernated session.
      void queryClient.invalidateQueries({ queryKey: key("session", session.id) });
    }
  }

  const usable = isUsable(session);
  const disabledReason = !canWrite ? "Your role cannot open a terminal." : !usable ? `The session is ${session.state}; no terminal can open in it.` : null;
  const isOpen = status.kind === "open" || status.kind === "opening";
  const visible = status.kind !== "idle";

  return (
    <Card aria-labelledby="terminal-title">
      <CardHeader
        id="terminal-title"
        title="Terminal"
        description="An interactive shell in the sandbox (in /workspace). It closes when the session pauses, hibernates or ends."
        actions={
          isOpen ? (
            <Button variant="secondary" size="sm" disabled={status.kind !== "open"} onClick={() => void live.current?.conn.close()}>Close terminal</Button>
          ) : (
            <Button size="sm" disabled={disabledReason !== null} title={disabledReason ?? undefined} onClick={() => void openTerminal()}>
              {visible ? "Open a new terminal" : "Open terminal"}
            </Button>
          )
        }
      />
      <CardBody className="space-y-2">
        {status.kind === "opening" && <p className="text-sm text-zinc-500" role="status">Opening a shell{session.state !== "running" ? " (waking the session first)" : ""}…</p>}
        {status.kind === "closed" && <p className="text-sm font-medium text-amber-700" role="status" data-testid="terminal-status">Terminal closed: {status.reason}</p>}
        {status.kind === "failed" && <p className="text-sm text-red-700" role="alert">Could not open a terminal: {status.message}</p>}
        {disabledReason && !visible && <p className="text-sm text-zinc-500">{disabledReason}</p>}
        <div
          ref={box}
          data-testid="terminal"
          aria-label="Terminal"
          className={visible ? "h-80 resize-y overflow-hidden rounded-md bg-zinc-900 p-2" : "hidden"}
        />
      </CardBody>
    </Card>
  );
}
