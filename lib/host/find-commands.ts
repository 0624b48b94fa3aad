// Which commands are on this host: a look in each PATH directory (no process is started, so the
// check at every `npm start` costs a few stat calls). Only PATH, since that is where the runner
// finds them when it runs them (Debian puts runc and mkfs.ext4 in /usr/sbin: root's PATH has it).
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { HostTool } from "./prerequisites";

export function isOnPath(command: string, searchPath: string): boolean {
  const candidates = command.includes("/") ? [command] : searchPath.split(":").filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export function missingTools(tools: HostTool[], searchPath: string): HostTool[] {
  return tools.filter((t) => !isOnPath(t.command, searchPath));
}
