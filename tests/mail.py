"""Mail and SMS stand-ins the tests talk to for real: an SMTP server (aiosmtpd), an HTTP SMS gateway, a free port."""

from __future__ import annotations

from email import message_from_bytes, policy
import http.server
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An SMTP handler keeping what it receives; ``refuse`` first answers refuse that many messages (451)."""

    def __init__(self, refuse: int = 0):
        self.messages = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({
            "to": envelope.rcpt_tos, "subject": str(message["subject"]),
            "body": message.get_body(preferencelist=("plain",)).get_content(),
        })
        return "250 OK"


def smtp_server(mailbox: Mailbox) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


class Gateway(http.server.BaseHTTPRequestHandler):
    """An HTTP SMS gateway: records each request; answers ``status`` (set on the server)."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.server.requests.append({
            "path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length).decode(),
        })
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def sms_gateway(status: int = 200) -> http.server.HTTPServer:
    server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    server.requests, server.status = [], status
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
