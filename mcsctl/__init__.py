"""mcsctl: safe maintenance mode for MariaDB ColumnStore / MaxScale nodes."""

__version__ = "0.1.0"
