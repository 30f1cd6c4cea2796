"""What the server keeps: its tables (``tables``) and the writes routes and start-up share
(``crud``), on a plain SQLAlchemy ``Session``."""
