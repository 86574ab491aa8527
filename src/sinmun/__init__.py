"""sinmun (신문): archive, Korean-aware search and reading site for a Korean news desk."""

__version__ = "0.1.0"
