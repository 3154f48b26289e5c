"""Operations helpers: start PostgreSQL, Redis, portal servers and nginx on this machine."""
