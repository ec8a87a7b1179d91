#!/usr/bin/python3
"""A real SMTP server for the mail tests (Debian's python3-aiosmtpd): it
takes mail on 127.0.0.1:PORT with STARTTLS required and AUTH (the user and
password given), and writes each message it accepts to DIR/N.eml (the
envelope's recipients in DIR/N.rcpt). Run by the system's python3, which
has aiosmtpd: smtp_sink.py PORT DIR CERT KEY USER PASSWORD"""
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.n = len([f for f in os.listdir(outdir) if f.endswith('.eml')])
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            base = os.path.join(self.outdir, '%06d' % self.n)
        with open(base + '.tmp', 'wb') as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + '.rcpt', 'w') as f:
            f.write('\n'.join(envelope.rcpt_tos) + '\n')
        os.rename(base + '.tmp', base + '.eml')
        return '250 2.0.0 queued as %06d' % self.n


def main():
    port, outdir, cert, key, user, password = sys.argv[1:7]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def auth(server, session, envelope, mechanism, data):
        ok = data.login == user.encode() and data.password == password.encode()
        return AuthResult(success=ok)

    c = Controller(Sink(outdir), hostname='127.0.0.1', port=int(port),
                   tls_context=ctx, require_starttls=True,
                   authenticator=auth, auth_required=True,
                   auth_require_tls=True, decode_data=False)
    c.start()
    print('ready', flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    c.stop()


if __name__ == '__main__':
    main()
