from tests.files.clamd_daemon import clamd_socket, no_scanner, scanner

__all__ = ["clamd_socket", "no_scanner", "scanner"]
