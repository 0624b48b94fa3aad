// Runs once in each Next.js server process before it serves requests.
export async function register() {
  // Node only: the edge runtime has no sockets. Must stay a dynamic import so edge bundles skip it.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installPeerAddressHeader } = await import("./lib/api/peer-address");
    installPeerAddressHeader();
  }
}
