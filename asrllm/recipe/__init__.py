"""Recipe plumbing used by the shell stage driver."""
