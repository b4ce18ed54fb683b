"""`make run`: web server, Celery worker and beat together; Ctrl-C stops all three.

Run as ``python -m config.devstack``. Each child runs in this process group, so the terminal's
Ctrl-C reaches them all; we also forward SIGINT/SIGTERM ourselves and wait for them to exit.
"""

import os
import signal
import subprocess
import sys
import time


def listen_address(environ=os.environ) -> str:
    """Where the web server listens: KENGELE_ADDR (host:port), else 127.0.0.1 on PORT (8000)."""
    return environ.get("KENGELE_ADDR") or f"127.0.0.1:{environ.get('PORT') or 8000}"


HOST_PORT = listen_address()


def main() -> int:
    py = sys.executable
    celery = [py, "-m", "celery", "-A", "config"]
    commands = {
        "web": [py, "manage.py", "runserver", HOST_PORT, "--noreload"],
        "worker": [*celery, "worker", "-l", "info", "--concurrency", "2"],
        "beat": [*celery, "beat", "-l", "info"],
    }
    children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Kengele is running on http://{HOST_PORT}/ (Ctrl-C stops web, worker and beat)")
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping the others", flush=True)
                stopping = True
                break
        time.sleep(0.5)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.time() + 15
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
