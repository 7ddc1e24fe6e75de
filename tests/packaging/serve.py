"""Serves a folder over HTTPS on 127.0.0.1 (an ephemeral port) for the install tests.

usage: serve.py ROOT CERT KEY PORTFILE
Writes the chosen port to PORTFILE once listening; stops by itself after 10 minutes.
"""

import functools
import http.server
import ssl
import sys
import threading


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass


def main():
    root, cert, key, portfile = sys.argv[1:5]
    handler = functools.partial(Quiet, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Timer(600, server.shutdown).start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os

    os.replace(portfile + ".tmp", portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
