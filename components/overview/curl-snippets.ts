// The Overview's copy-paste snippets. They must run as written in a POSIX shell: every variable is
// set (or checked) before use, the base URL is the console's own, and nothing beyond curl, grep and
// cut is needed (no jq). TypeScript and Python tabs wait for the SDKs (sdk/typescript, sdk/python).

/** Single-quoted for the shell: a key or URL is pasted into the snippet as it is. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The lines that define BURROW_URL and BURROW_API_KEY: the real key when there is one, else a check. */
function preamble(baseUrl: string, apiKey: string | null): string[] {
  return [
    `export BURROW_URL=${shellQuote(baseUrl)}`,
    apiKey
      ? `export BURROW_API_KEY=${shellQuote(apiKey)}`
      : `: "\${BURROW_API_KEY:?create a key under API keys, then: export BURROW_API_KEY=bur_...}"`,
  ];
}

/** Create a session from the base template, run `echo hello` in it, terminate it. */
export function firstSessionSnippet(baseUrl: string, apiKey: string | null): string {
  return [
    ...preamble(baseUrl, apiKey),
    "",
    "# Start a session (the built-in base template) and keep its id",
    `SESSION=$(curl -sS "$BURROW_URL/api/v1/sessions" -H "Authorization: Bearer $BURROW_API_KEY" \\`,
    `  -H 'Content-Type: application/json' -d '{"template":"base"}' | grep -o '"id":"ses_[^"]*"' | head -n 1 | cut -d '"' -f 4)`,
    `echo "session: $SESSION"`,
    "",
    "# Run a command in it: the answer has exitCode, stdout and stderr",
    `curl -sS "$BURROW_URL/api/v1/sessions/$SESSION/exec" -H "Authorization: Bearer $BURROW_API_KEY" \\`,
    `  -H 'Content-Type: application/json' -d '{"command":["echo","hello"]}'`,
    "echo",
    "",
    "# End it (its sandbox is removed; the record and logs stay)",
    `curl -sS -X DELETE "$BURROW_URL/api/v1/sessions/$SESSION" -H "Authorization: Bearer $BURROW_API_KEY" -o /dev/null -w '%{http_code}\\n'`,
  ].join("\n");
}

/** For a role that reads but does not start sessions: who am I, and the tenant's sessions. */
export function readOnlySnippet(baseUrl: string, apiKey: string | null): string {
  return [
    ...preamble(baseUrl, apiKey),
    "",
    "# Who the key is, its tenant and scopes",
    `curl -sS "$BURROW_URL/api/v1/me" -H "Authorization: Bearer $BURROW_API_KEY"`,
    "echo",
    "# The newest sessions",
    `curl -sS "$BURROW_URL/api/v1/sessions?limit=5" -H "Authorization: Bearer $BURROW_API_KEY"`,
    "echo",
  ].join("\n");
}
