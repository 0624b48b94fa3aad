// Stamps each HTTP request's socket address into PEER_ADDRESS_HEADER before Next.js sees it, since
// a route handler has no other way to learn it (see client-ip.ts). It patches http.Server's emit
// of "request" because `next start` owns the server and offers no hook of its own there; a header
// of that name sent by the caller is always overwritten (or removed when the socket has none).
import http from "node:http";
import { PEER_ADDRESS_HEADER } from "./client-ip";

const INSTALLED = Symbol.for("burrow.peerAddressHeader");

export function stampPeerAddress(req: http.IncomingMessage): void {
  const address = req.socket?.remoteAddress;
  if (address) req.headers[PEER_ADDRESS_HEADER] = address;
  else delete req.headers[PEER_ADDRESS_HEADER];
}

/** Idempotent: every http.Server in this process (existing and future) stamps its requests. */
export function installPeerAddressHeader(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  const emit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  proto.emit = function emitWithPeerAddress(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") stampPeerAddress(args[0] as http.IncomingMessage);
    return emit.call(this, event, ...args);
  } as typeof proto.emit;
  proto[INSTALLED] = true;
}
