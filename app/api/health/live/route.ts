// Liveness: the web process answers, nothing more (no database, no auth). A supervisor restarts a
// process that stops answering this; /api/health is the readiness probe that also checks the
// database. The api-me benchmark measures this route as the floor of a Next.js route here.
export const dynamic = "force-dynamic";

const BODY = JSON.stringify({ status: "ok" });

export function GET() {
  return new Response(BODY, { headers: { "content-type": "application/json", "cache-control": "no-store" } });
}
