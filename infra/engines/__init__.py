"""Real engines on loopback without Docker: `python3 -m infra.engines {install,up,down,status,env}`."""
