#!/usr/bin/env python3
"""A partner's webhook endpoint for trying subscriptions locally (./run.sh allows loopback http targets).

    python3 scripts/webhook-receiver.py 9000 whsec_...

Prints each delivery (CloudEvent type, id, subject, data) and whether its Standard Webhooks signature verifies
with the subscription's secret, and answers 204. Standard library only: the check is the specification's own
recipe, base64(HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}")) against the "v1,..." values.
"""
import base64
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, headers, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    webhook_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = base64.b64encode(hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, signature) for signature in offered)


class Receiver(BaseHTTPRequestHandler):
    secret = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        event = json.loads(body)
        verdict = "signature ok" if verify(self.secret, self.headers, body) else "SIGNATURE DOES NOT VERIFY"
        print(f"{event['type']} id={event['id']} subject={event.get('subject')} {verdict}\n  data={json.dumps(event.get('data'))}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    Receiver.secret = sys.argv[2]
    print(f"listening on http://127.0.0.1:{sys.argv[1]}/", flush=True)
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
