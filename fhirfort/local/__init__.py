"""The local target: nspawn hosts on per-tier bridges behind a lab router namespace (`make up`)."""
