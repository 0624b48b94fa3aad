import { describe, expect, it } from "vitest";
import { parseProcNetTcp } from "./listening-ports";

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
   2: 0201580A:1F40 0101580A:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1389 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0000000000000000 100 0 0 10 0
`;

describe("parseProcNetTcp", () => {
  it("keeps listening sockets only, with their address, and says which the bridge address reaches", () => {
    expect(parseProcNetTcp(TCP, 4)).toEqual([
      { port: 8000, address: "0.0.0.0", reachable: true },
      { port: 3000, address: "127.0.0.1", reachable: false },
    ]);
    expect(parseProcNetTcp(TCP6, 6)).toEqual([
      { port: 9000, address: "::", reachable: true },
      { port: 5001, address: "::1", reachable: false },
    ]);
  });
  it("reads nothing from an empty file", () => {
    expect(parseProcNetTcp("", 4)).toEqual([]);
  });
});
