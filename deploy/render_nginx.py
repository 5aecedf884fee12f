"""Render deploy/nginx.conf.template for a set of Streamlit replicas.

    python deploy/render_nginx.py --listen 0.0.0.0:8080 --ports 8501,8502 --prefix /srv/dash/nginx

writes PREFIX/nginx.conf (and creates PREFIX/logs and PREFIX/tmp), then prints its path. Only the template's
three names are replaced (LISTEN, UPSTREAMS, PREFIX in ${...}); nginx's own $variables are left alone, which a
plain envsubst would not do.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")


def render(listen: str, ports: list[int], prefix: Path, host: str = "127.0.0.1") -> str:
    """The nginx configuration text for replicas at host:port for each of `ports`."""
    if not ports:
        raise ValueError("at least one replica port is needed")
    upstreams = "\n".join(f"        server {host}:{int(p)} max_fails=3 fail_timeout=10s;" for p in ports)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in (("LISTEN", listen), ("UPSTREAMS", upstreams), ("PREFIX", str(prefix))):
        text = text.replace("${" + name + "}", value)
    return text


def write(listen: str, ports: list[int], prefix: Path, host: str = "127.0.0.1") -> Path:
    """Render into PREFIX/nginx.conf with the logs/ and tmp/ directories nginx needs; the config's path."""
    prefix = prefix.resolve()
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render(listen, ports, prefix, host), encoding="utf-8")
    return conf


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", required=True, help="address:port for nginx, e.g. 0.0.0.0:8080")
    ap.add_argument("--ports", required=True, help="the replicas' ports, comma-separated")
    ap.add_argument("--prefix", required=True, type=Path, help="directory for nginx.conf, pid, logs, temp files")
    ap.add_argument("--host", default="127.0.0.1", help="where the replicas listen (default 127.0.0.1)")
    args = ap.parse_args(argv)
    try:
        ports = [int(p) for p in args.ports.split(",") if p.strip()]
    except ValueError:
        print(f"--ports must be numbers separated by commas, got {args.ports!r}", file=sys.stderr)
        return 2
    print(write(args.listen, ports, args.prefix, args.host))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
