#!/usr/bin/env python3
"""fakehttp: a recording HTTP server for tests/integration/deliver.sh.

    fakehttp.py DIR [--fail N MODE] [--max-body BYTES] [--lifetime SECONDS]

Binds 127.0.0.1 only, on a free port written to DIR/port. Each request that
is answered 204 is recorded as DIR/req.N.head (request line and headers)
and DIR/req.N.body (the raw body), N counting from 1. The first N requests
(--fail) get MODE instead:
  hang     read the request, never answer (until the client gives up)
  garbage  answer a line that is not HTTP, close
  cut      answer 200 with a Content-Length longer than the body sent, close
  echo     answer 400 quoting the request line and headers back (as a
           careless server might quote credentials in an error)
  CODE     answer HTTP CODE with {"error":"fake CODE"}
--max-body: answer 413 to any body larger than BYTES (not recorded).
Every request line is appended to DIR/log. The server exits after
--lifetime seconds (default 120) whatever happens.
"""
import os
import socket
import socketserver
import sys
import threading
import time


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    fail_n, fail_mode, max_body, lifetime = 0, None, None, 120.0
    while args:
        a = args.pop(0)
        if a == "--fail":
            fail_n, fail_mode = int(args.pop(0)), args.pop(0)
        elif a == "--max-body":
            max_body = int(args.pop(0))
        elif a == "--lifetime":
            lifetime = float(args.pop(0))
        else:
            sys.exit("fakehttp: unknown argument " + a)
    lock = threading.Lock()
    state = {"seen": 0, "recorded": 0}

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            while self.one():
                pass

        def one(self):
            line = self.rfile.readline(8192)
            if not line:
                return False
            head = [line.decode("latin-1").rstrip("\r\n")]
            length = 0
            while True:
                h = self.rfile.readline(8192)
                if h in (b"\r\n", b"\n", b""):
                    break
                h = h.decode("latin-1").rstrip("\r\n")
                head.append(h)
                k, _, v = h.partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip())
            body = self.rfile.read(length) if length else b""
            with lock:
                state["seen"] += 1
                seen = state["seen"]
                with open(os.path.join(out, "log"), "a") as f:
                    f.write("%d %s %d\n" % (seen, head[0], len(body)))
            if seen <= fail_n:
                return self.fail(fail_mode, head)
            if max_body is not None and len(body) > max_body:
                self.answer(413, b'{"error":"Request Entity Too Large"}')
                return True
            with lock:
                state["recorded"] += 1
                n = state["recorded"]
                with open(os.path.join(out, "req.%d.body" % n), "wb") as f:
                    f.write(body)
                with open(os.path.join(out, "req.%d.head" % n), "w") as f:
                    f.write("\n".join(head) + "\n")
            self.answer(204, b"")
            return True

        def answer(self, code, body):
            self.wfile.write(b"HTTP/1.1 %d Fake\r\nContent-Length: %d\r\n"
                             b"Content-Type: application/json\r\n\r\n" % (code, len(body)) + body)
            self.wfile.flush()

        def fail(self, mode, head):
            if mode == "hang":
                time.sleep(lifetime)
                return False
            if mode == "garbage":
                self.wfile.write(b"this is not HTTP at all\r\n\r\n")
                return False
            if mode == "cut":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return False
            if mode == "echo":
                quoted = "; ".join(head).replace("\\", "\\\\").replace('"', '\\"')
                self.answer(400, b'{"error":"bad request: %s"}' % quoted.encode("latin-1"))
                return True
            code = int(mode)
            self.answer(code, b'{"error":"fake %d"}' % code)
            return True

    srv = Server(("127.0.0.1", 0), Handler)
    with open(os.path.join(out, "port.tmp"), "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
    threading.Timer(lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
