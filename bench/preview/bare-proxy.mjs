// The preview bench's third column: a bare node:http reverse proxy with no logic at all (no host
// parsing, no admission, no header filtering, no activity), forwarding every request to one fixed
// sandbox address over a kept-alive agent and piping both bodies. Run in the runner-host namespace
// like the real proxy, so "direct → bare" is the cost of any user-space HTTP hop and "bare → ours"
// is the cost of Burrow's own per-request work. Usage: node bare-proxy.mjs LISTEN_PORT ADDRESS PORT
import http from "node:http";

const [listenPort, address, port] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

const server = http.createServer({ noDelay: true }, (req, res) => {
  const upstream = http.request({ host: address, port, method: req.method, path: req.url, headers: req.headers, agent });
  upstream.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
});
server.listen(listenPort, "127.0.0.1", () => console.log("ready"));
const stop = () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
