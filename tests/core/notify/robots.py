"""A local stand-in for the WeCom and DingTalk robot endpoints (127.0.0.1, a free port, a thread), checking each
request exactly as the platforms document it (docs/NOTIFICATIONS.md) and answering as they do:

WeCom ``POST /cgi-bin/webhook/send?key=K``: unknown key → 93000; markdown.content > 4096 bytes → 40058;
text.content > 2048 bytes → 40058; image: not base64 → 40009, raw > 2 MB → 40009, md5 of the raw bytes wrong
→ 301019; unknown msgtype → 40008.

DingTalk ``POST /robot/send?access_token=T``: unknown token → 300001; with a secret: missing/invalid
timestamp or a timestamp more than an hour away → 310000 "invalid timestamp", a wrong sign → 310000 "sign not
match" (sign recomputed here independently of core); markdown without title or text → 400... (errcode 40035).

``script`` queues error codes to answer before the checks (e.g. ``[45009, 45009]``: rate-limited twice), so
retries and back-off can be tested; every request is kept in ``requests``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERRMSG = {0: "ok", 93000: "invalid webhook url", 40058: "content exceed max length", 40009: "invalid image size",
          301019: "media md5 not match", 40008: "invalid message type", 300001: "token is not exist",
          45009: "api freq out of limit", 130101: "send too fast, exceed 20 times per minute",
          40035: "缺少参数 json", 500: "server error"}


class Robots:
    def __init__(self):
        self.wecom_keys: set[str] = set()
        self.dingtalk: dict[str, str | None] = {}      # token → secret (None: no 加签)
        self.script: list[int] = []
        self.requests: list[dict] = []
        self.clock_ms = None                            # DingTalk's clock (None: time.time())
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # ------------------------------------------------------------------ setup
    def start(self) -> Robots:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wecom_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str) -> str:
        return f"http://127.0.0.1:{self.port}/robot/send?access_token={token}"

    def of(self, kind: str) -> list[dict]:
        return [r for r in self.requests if r["body"].get("msgtype") == kind]

    # ------------------------------------------------------------------ the checks
    def _wecom(self, q: dict, body: dict) -> int:
        if q.get("key") not in self.wecom_keys:
            return 93000
        kind = body.get("msgtype")
        if kind == "markdown":
            return 40058 if len(body["markdown"]["content"].encode("utf-8")) > 4096 else 0
        if kind == "text":
            t = body["text"]
            ok_list = all(isinstance(m, str) for m in t.get("mentioned_mobile_list", []))
            return 40058 if len(t["content"].encode("utf-8")) > 2048 or not ok_list else 0
        if kind == "image":
            try:
                raw = base64.b64decode(body["image"]["base64"], validate=True)
            except (binascii.Error, ValueError):
                return 40009
            if len(raw) > 2 * 1024 * 1024:
                return 40009
            return 0 if hashlib.md5(raw).hexdigest() == body["image"]["md5"] else 301019
        return 40008

    def _dingtalk(self, q: dict, body: dict) -> tuple[int, str | None]:
        token = q.get("access_token")
        if token not in self.dingtalk:
            return 300001, None
        secret = self.dingtalk[token]
        if secret:
            ts = q.get("timestamp", "")
            now = self.clock_ms if self.clock_ms is not None else time.time() * 1000
            if not ts.isdigit() or abs(int(ts) - now) > 3600 * 1000:
                return 310000, "invalid timestamp"
            mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
            if q.get("sign") != base64.b64encode(mac).decode():      # parse_qs already url-decoded it
                return 310000, "sign not match"
        if body.get("msgtype") != "markdown":
            return 40008, None
        md = body.get("markdown", {})
        if not md.get("title") or not md.get("text"):
            return 40035, None
        return 0, None

    def _handler(self):
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):      # quiet
                pass

            def do_POST(self):
                parts = urllib.parse.urlsplit(self.path)
                q = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw.decode("utf-8"))
                robots.requests.append({"path": parts.path, "query": q, "body": body,
                                        "content_type": self.headers.get("Content-Type")})
                msg = None
                if robots.script:
                    code = robots.script.pop(0)
                elif parts.path == "/cgi-bin/webhook/send":
                    code = robots._wecom(q, body)
                elif parts.path == "/robot/send":
                    code, msg = robots._dingtalk(q, body)
                else:
                    code = 404
                status = 500 if code == 500 else 200
                out = json.dumps({"errcode": code, "errmsg": msg or ERRMSG.get(code, "error")}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        return Handler
