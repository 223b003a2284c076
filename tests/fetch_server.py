#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for AMD KDS and Intel PCS, for the fetch tests (python3 standard library only).

Serves ROUTES/<url-quoted path and query> as the body of a 200 response, with the headers of
ROUTES/<same name>.headers (one "Name: value" a line) when that file exists. The first path
component may pick a misbehaviour, then the rest is the route:
  /404/...          404
  /retry429/...     429 with Retry-After: 1 the first time a route is asked for, then the route
  /always503/...    503 every time (no Retry-After)
  /wait3600/...     429 with Retry-After: 3600
  /truncate/...     Content-Length 100 bytes more than is sent, then the connection closes
  /slow/...         waits 30 s before answering
  /huge/...         Content-Length 17 MiB (and that many bytes)
  /hugestream/...   17 MiB with no Content-Length (the end is the connection's)
Every request is logged to LOG as "MODE PATH" (one line). The port is written to PORTFILE.
With --tls CERT KEY it speaks HTTPS.
"""
import http.server
import os
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

ROUTES, LOG, PORTFILE = sys.argv[1], sys.argv[2], sys.argv[3]
TLS = sys.argv[5:7] if len(sys.argv) >= 7 and sys.argv[4] == '--tls' else None
MODES = {'404', 'retry429', 'always503', 'wait3600', 'truncate', 'slow', 'huge', 'hugestream'}
seen = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def send_plain(self, code, headers=(), body=b''):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        mode, route = 'plain', self.path
        parts = self.path.split('/', 2)
        if len(parts) == 3 and parts[1] in MODES:
            mode, route = parts[1], '/' + parts[2]
        with lock:
            with open(LOG, 'a') as log:
                log.write('%s %s\n' % (mode, route))
            first = (mode, route) not in seen
            seen.add((mode, route))
        name = os.path.join(ROUTES, urllib.parse.quote(route, safe=''))
        if mode == '404' or not os.path.isfile(name):
            return self.send_plain(404, body=b'not found\n')
        if mode == 'always503':
            return self.send_plain(503)
        if mode == 'wait3600':
            return self.send_plain(429, [('Retry-After', '3600')])
        if mode == 'retry429' and first:
            return self.send_plain(429, [('Retry-After', '1')])
        if mode == 'slow':
            time.sleep(30)
        if mode in ('huge', 'hugestream'):
            self.send_response(200)
            if mode == 'huge':
                self.send_header('Content-Length', str(17 << 20))
            else:
                self.send_header('Connection', 'close')
                self.close_connection = True
            self.end_headers()
            try:
                for _ in range(17 * 16):
                    self.wfile.write(b'\x30' * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        with open(name, 'rb') as f:
            body = f.read()
        headers = []
        if os.path.isfile(name + '.headers'):
            with open(name + '.headers') as f:
                headers = [tuple(l.rstrip('\n').split(': ', 1)) for l in f if l.strip()]
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        if mode == 'truncate':
            self.send_header('Content-Length', str(len(body) + 100))
            self.send_header('Connection', 'close')
            self.close_connection = True
        else:
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(('127.0.0.1', 0), Handler)
if TLS:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(TLS[0], TLS[1])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(PORTFILE + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + '.tmp', PORTFILE)
server.serve_forever()
