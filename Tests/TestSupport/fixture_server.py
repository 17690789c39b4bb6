#!/usr/bin/env python3
"""A local HTTP server for the data-fetch tests: serves the files of one directory, misbehaving on purpose by the
first part of the path. Prints its port on the first line of stdout once it listens; logs each request as
`PATH RANGE` (RANGE is `-` without a Range header) to LOG. Listens on 127.0.0.1 only.

  /good/NAME     the file, with Range requests answered 206 Partial Content
  /bad/NAME      the file with its bytes changed: a wrong checksum
  /missing/NAME  404
  /stall/NAME    headers and the first bytes, then silence until the client gives up
  /cut/NAME      without a Range header: the headers promise the whole file, half comes, the connection closes;
                 with one: as /good/ (so a rerun resumes)
  /norange/NAME  the whole file, whatever the Range header says

usage: fixture_server.py DIR LOG
"""
import http.server
import os
import re
import sys
import time

STALL_SECONDS = 60


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/", 1)
        mode, name = (parts[0], parts[1]) if len(parts) == 2 else ("", "")
        with open(self.server.log_path, "a") as log:
            log.write(f"{self.path} {self.headers.get('Range') or '-'}\n")
        path = os.path.join(self.server.root, os.path.basename(name))
        if mode == "missing" or not name or not os.path.isfile(path):
            return self.reply(404, b"not found\n")
        with open(path, "rb") as f:
            body = f.read()
        if mode == "bad":
            body = bytes(b ^ 0x5A for b in body)
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if mode == "cut" and not match:
            return self.reply(200, body, send=len(body) // 2)
        if mode == "stall":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:16])
            self.wfile.flush()
            time.sleep(STALL_SECONDS)
            return
        if match and mode != "norange":
            start = int(match.group(1))
            if start >= len(body):
                return self.reply(416, b"")
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            self.wfile.write(body[start:])
            return
        self.reply(200, body)

    def reply(self, status, body, send=None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) if send is None else send])
        self.wfile.flush()
        if send is not None:
            self.close_connection = True


def main():
    root, log_path = sys.argv[1], sys.argv[2]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.root, server.log_path = root, log_path
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
