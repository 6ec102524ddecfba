#!/usr/bin/env python3
"""with_nginx.py DIR -- COMMAND...: runs COMMAND with a real nginx serving
DIR/www with WebDAV PUT on a free 127.0.0.1 port; "{url}" in COMMAND
becomes the server's URL. nginx dies with this script (PR_SET_PDEATHSIG)
and is stopped when COMMAND ends. With --silent instead of nginx, a server
that accepts connections and never answers."""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time

CONF = """
daemon off;
master_process off;
user root;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {d}/www;
    location / {{
      dav_methods PUT DELETE;
      create_full_put_path on;
      client_max_body_size 1g;
    }}
  }}
}}
"""


def die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return True
        except OSError:
            time.sleep(0.025)
    return False


def silent_server():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    held = []

    def accept():
        while True:
            c, _ = s.accept()
            held.append(c)  # Never answered, never closed.
    threading.Thread(target=accept, daemon=True).start()
    return s.getsockname()[1]


def main():
    args = sys.argv[1:]
    split = args.index("--")
    opts, cmd = args[:split], args[split + 1:]
    if opts == ["--silent"]:
        port = silent_server()
        url = "http://127.0.0.1:%d/cache" % port
        sys.exit(subprocess.call([a.replace("{url}", url) for a in cmd]))
    d = os.path.abspath(opts[0])
    os.makedirs(os.path.join(d, "www"), exist_ok=True)
    for attempt in range(5):
        port = free_port()
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(CONF.format(d=d, port=port))
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(d, "nginx.conf"),
                                  "-p", d], preexec_fn=die_with_parent)
        if wait_listening(port, nginx):
            break
        nginx.kill()
        nginx.wait()
    else:
        sys.exit("nginx did not start: see %s/error.log" % d)
    url = "http://127.0.0.1:%d/cache" % port
    try:
        rc = subprocess.call([a.replace("{url}", url) for a in cmd])
    finally:
        nginx.terminate()
        nginx.wait()
    sys.exit(rc)


if __name__ == "__main__":
    main()
