"""Test helpers at the Twilio boundary: signed webhooks (as Twilio signs them) and a local
stand-in for Twilio's REST API."""

import json
import re
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from twilio.request_validator import RequestValidator


def sms_params(body: str, sender: str = "+243970000123", sid: str | None = None) -> dict:
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def sign(url: str, params: dict) -> str:
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def post_signed(client, path: str, params: dict, *, url: str | None = None, **extra):
    """POST a form exactly as Twilio does: urlencoded, signed over the URL and the params."""
    signature = sign(url or f"http://testserver{path}", params)
    return client.post(
        path,
        urllib.parse.urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **extra,
    )


# The resource a DELETE or GET names: .../Messages/SM….json, .../Recordings/RE…[.mp3]
RESOURCE = re.compile(r"/(Messages|Recordings)/([A-Z]{2}[0-9A-Za-z]+)")


class FakeTwilioAPI:
    """Answers POST .../Messages.json like Twilio; `script` holds canned failures to play first
    (e.g. [(503, {})] or [(400, {"code": 21610, "message": "unsubscribed"})]). Serves call
    recordings (GET) and deletes Message and Recording resources (DELETE: 204, then 404 once
    gone, as Twilio does; a deleted recording is no longer served); `delete_script` holds
    canned failures for deletes."""

    def __init__(self, script: list[tuple[int, dict]] | None = None):
        self.requests: list[dict] = []
        self.accepted: list[dict] = []  # the sends answered 201, each a message Twilio took
        self.script = list(script or [])
        self.delete_script: list[tuple[int, dict]] = []
        self.deleted: list[str] = []  # SIDs of the resources deleted, in order
        self.recording = b"ID3fake-mp3-bytes"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                outer.requests.append(dict(form, _path=self.path))
                if outer.script:
                    code, payload = outer.script.pop(0)
                    self._reply(code, dict({"status": code}, **payload))
                    return
                sid = "SM" + uuid.uuid4().hex
                outer.accepted.append(form)
                self._reply(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "num_segments": "1",
                        "account_sid": self.path.split("/")[3],
                    },
                )

            def do_GET(self):
                # A call recording, as Twilio serves it to the account (basic auth).
                outer.requests.append(
                    {"_path": self.path, "_auth": self.headers.get("Authorization")}
                )
                resource = RESOURCE.search(self.path)
                if (
                    "/Recordings/" not in self.path
                    or not self.headers.get("Authorization")
                    or (resource is not None and resource.group(2) in outer.deleted)
                ):
                    self._reply(404, {"message": "not found"})
                    return
                body = outer.recording
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_DELETE(self):
                resource = RESOURCE.search(self.path)
                outer.requests.append(
                    {
                        "_path": self.path,
                        "_method": "DELETE",
                        "_auth": self.headers.get("Authorization"),
                    }
                )
                if outer.delete_script:
                    code, payload = outer.delete_script.pop(0)
                    self._reply(code, dict({"status": code}, **payload))
                    return
                if resource is None or resource.group(2) in outer.deleted:
                    self._reply(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                outer.deleted.append(resource.group(2))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _reply(self, code, payload):
                body = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def sent(self) -> list[dict]:
        return [r for r in self.requests if r["_path"].endswith("/Messages.json")]

    @property
    def deletes(self) -> list[str]:
        """The paths of every DELETE received, answered with success or not."""
        return [r["_path"] for r in self.requests if r.get("_method") == "DELETE"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
