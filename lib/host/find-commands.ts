// Which commands are on this host: a look in each PATH directory (no process is started, so the
// check at every `npm start` costs a few stat calls). The sbin directories are searched too, since
// a non-root PATH on Debian leaves them out while `mkfs.ext4` lives there.
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import type { HostTool } from "./prerequisites";

const SBIN_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

export function isOnPath(command: string, searchPath: string): boolean {
  const dirs = command.includes("/") ? [""] : [...searchPath.split(":").filter(Boolean), ...SBIN_DIRS];
  return dirs.some((dir) => {
    const file = dir ? path.join(dir, command) : command;
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
