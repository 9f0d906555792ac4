"""Read: every reader and check, from a file or request body to a validated frame in RD New."""
