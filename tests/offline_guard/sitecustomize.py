"""Loaded by the CLI processes the tests start: any socket connection fails the run loudly."""

import socket
import sys


def _refuse(*args, **kwargs):
    sys.stderr.write("NETWORK ACCESS ATTEMPTED\n")
    raise OSError("network access is blocked in clarify-vpc-lint tests")


socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
