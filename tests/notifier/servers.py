"""Moved to tests/servers.py (shared with the portal's delivery tests); kept for older imports."""

from tests.servers import FakeTwilio, RecordingHandler, SmtpServer, free_port

__all__ = ["FakeTwilio", "RecordingHandler", "SmtpServer", "free_port"]
