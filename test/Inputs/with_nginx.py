#!/usr/bin/env python3
"""with_nginx.py DIR -- COMMAND...: runs COMMAND with a real nginx serving
DIR/www with WebDAV PUT on a free 127.0.0.1 port; "{url}" in COMMAND
becomes the server's URL. nginx dies with this script (PR_SET_PDEATHSIG)
and is stopped when COMMAND ends. With --silent instead of nginx, a server
that accepts connections and never answers; it writes a byte to a pipe for
each connection it accepts, whose reading end COMMAND inherits as the file
descriptor that "{accept_fd}" becomes (a barrier: "a request is in
flight").

With DIR --fault=SPEC [--fault-seed=N] [--fault-log=PATH], fault_proxy.py
(see its docstring for SPEC, e.g. "GET:500@0.5,delay=200") runs in a thread
of this script in front of nginx, on its own free 127.0.0.1 port: "{url}"
becomes the proxy's URL and "{direct_url}" nginx's own (always available).
--fault-seed seeds the proxy's RNG (default fixed); --fault-log is its
JSON-lines request log (default DIR/fault.log, truncated at start); count it
with "fault_proxy.py count LOG [--method=M] [--fault=F] [--status=S]"."""
import argparse
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


def wait_listening(port, proc, tries=200):
    for _ in range(tries):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return True
        except OSError:
            time.sleep(0.025)
    return False


def silent_server(notify_fd):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    held = []

    def accept():
        while True:
            c, _ = s.accept()
            held.append(c)  # Never answered, never closed.
            try:
                os.write(notify_fd, b"!")
            except OSError:
                pass  # The command closed its end or has gone.
    threading.Thread(target=accept, daemon=True).start()
    return s.getsockname()[1]


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit(__doc__)
    split = args.index("--")
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--silent", action="store_true")
    ap.add_argument("--fault")
    ap.add_argument("--fault-seed", type=int)
    ap.add_argument("--fault-log")
    opts, cmd = ap.parse_args(args[:split]), args[split + 1:]
    if opts.silent:
        if opts.dir or opts.fault:
            ap.error("--silent takes neither DIR nor --fault")
        accept_r, accept_w = os.pipe()
        os.set_blocking(accept_w, False)  # Never stall on a full pipe.
        port = silent_server(accept_w)
        url = "http://127.0.0.1:%d/cache" % port
        cmd = [a.replace("{url}", url).replace("{accept_fd}", str(accept_r))
               for a in cmd]
        sys.exit(subprocess.call(cmd, pass_fds=[accept_r]))
    if not opts.dir:
        ap.error("DIR is required")
    d = os.path.abspath(opts.dir)
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
    direct_url = url = "http://127.0.0.1:%d/cache" % port
    if opts.fault is not None:
        import fault_proxy  # Next to this script.
        seed = opts.fault_seed
        try:
            proxy = fault_proxy.start(
                ("127.0.0.1", port), opts.fault,
                fault_proxy.DEFAULT_SEED if seed is None else seed,
                opts.fault_log or os.path.join(d, "fault.log"))
        except ValueError as e:
            nginx.terminate()
            nginx.wait()
            sys.exit("with_nginx.py: %s" % e)
        url = proxy.url + "/cache"
    try:
        rc = subprocess.call([a.replace("{url}", url)
                              .replace("{direct_url}", direct_url)
                              for a in cmd])
    finally:
        nginx.terminate()
        nginx.wait()
    sys.exit(rc)


if __name__ == "__main__":
    main()
