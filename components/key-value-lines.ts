// KEY=VALUE lines, as people type environment variables and labels into a textarea.

export type ParsedLines = { values: Record<string, string>; error: string | null };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[a-z0-9][a-z0-9._/-]{0,62}$/i;

/** One pair a line; blank lines and `#` comments are skipped; the first `=` splits. */
export function parseKeyValueLines(text: string, kind: "env" | "label"): ParsedLines {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { values, error: `Line ${i + 1}: write it as ${kind === "env" ? "KEY=VALUE" : "key=value"}` };
    const name = line.slice(0, eq).trim();
    const pattern = kind === "env" ? ENV_NAME : LABEL_KEY;
    if (!pattern.test(name)) {
      return {
        values,
        error: kind === "env"
          ? `Line ${i + 1}: “${name}” is not a variable name (letters, digits and _, not starting with a digit)`
          : `Line ${i + 1}: “${name}” is not a label key (up to 63 letters, digits and . _ / -)`,
      };
    }
    values[name] = line.slice(eq + 1);
  }
  return { values, error: null };
}

export function toKeyValueLines(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k}=${v}`).join("\n");
}
