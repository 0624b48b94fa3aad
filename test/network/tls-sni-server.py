# A TLS server for the name-inspection tests, run in the test world's "internet": on :443 of every
# address, with the certificate and key given (self-signed, made at test time), it accepts any SNI
# and answers each connection with "sni=<the SNI it saw>\n".
import socket, socketserver, ssl, sys, threading

cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
seen = threading.local()
ctx.sni_callback = lambda sslsock, name, _ctx: setattr(sslsock, "burrow_sni", name)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            tls = ctx.wrap_socket(self.request, server_side=True)
            tls.sendall(("sni=%s\n" % getattr(tls, "burrow_sni", None)).encode())
            tls.close()
        except (OSError, ssl.SSLError):
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("0.0.0.0", 443), Handler).serve_forever()
