#!/usr/bin/env python3
"""Tiny QMP client (stdlib only) for the sample-dump scripts.

Usage: qmp.py [--timeout SECONDS] [--wait SECONDS] SOCKET COMMAND...
  SOCKET   QEMU's -qmp unix:SOCKET,server=on,wait=off
  COMMAND  a QMP command, either JSON ('{"execute":"quit"}') or a bare name
           ("quit", "query-status")
Runs the commands in order (after qmp_capabilities) and prints each "return"
value as one JSON line.  Asynchronous events are ignored.  Exits 1 with a
one-line message on a QMP error, a timeout or a closed connection.
--wait: keep retrying the connection for that long (QEMU still starting).
"""
import json
import socket
import sys
import time


def fail(msg):
    sys.stderr.write('qmp.py: %s\n' % msg)
    sys.exit(1)


class Closed(Exception):
    pass


class QMP:
    def __init__(self, path, timeout, wait):
        deadline = time.monotonic() + wait
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if time.monotonic() >= deadline:
                    fail('cannot connect to %s: %s' % (path, e))
                time.sleep(0.2)
        self.buf = b''
        greeting = self.recv()
        if 'QMP' not in greeting:
            fail('no QMP greeting: %r' % greeting)
        self.cmd({'execute': 'qmp_capabilities'})

    def recv(self):
        while b'\n' not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                fail('timeout waiting for QEMU')
            if not chunk:
                raise Closed()
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, c):
        self.sock.sendall(json.dumps(c).encode() + b'\n')
        while True:
            r = self.recv()
            if 'return' in r:
                return r['return']
            if 'error' in r:
                fail('%s: %s: %s' % (c.get('execute'), r['error'].get('class'),
                                     r['error'].get('desc')))
            # else an event: ignore


def main():
    args = sys.argv[1:]
    timeout, wait = 600.0, 0.0
    while args and args[0].startswith('--'):
        if args[0] == '--timeout' and len(args) > 1:
            timeout = float(args[1])
        elif args[0] == '--wait' and len(args) > 1:
            wait = float(args[1])
        else:
            fail('usage: qmp.py [--timeout S] [--wait S] SOCKET COMMAND...')
        args = args[2:]
    if len(args) < 2:
        fail('usage: qmp.py [--timeout S] [--wait S] SOCKET COMMAND...')
    try:
        run(args, timeout, wait)
    except Closed:
        fail('QEMU closed the QMP connection')


def run(args, timeout, wait):
    q = QMP(args[0], timeout, wait)
    for a in args[1:]:
        c = json.loads(a) if a.lstrip().startswith('{') else {'execute': a}
        if c.get('execute') == 'quit':
            q.sock.sendall(json.dumps(c).encode() + b'\n')
            try:        # QEMU may close before or after answering
                q.recv()
            except (Closed, OSError):
                pass
            print('{}')
            continue
        print(json.dumps(q.cmd(c)))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
