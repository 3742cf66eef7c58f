"""The warehouse: the only part of the product that talks to DuckDB or reads files.

The names below are imported from their modules when first used, so that a command that
needs only a connection and a few counts (``sla info``) does not import the loader and
polars with them.

>>> from analytics.warehouse import connect_readonly, load_tables  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and the module that defines it.
_WHERE = {
    "DEFAULT_DB": "database",
    "load_tables": "database",
    "loads": "database",
    "quarantine": "database",
    "read_core_table": "database",
    "updating": "database",
    "WarehouseError": "connection",
    "connect_readonly": "connection",
    "is_warehouse": "connection",
    "latest_timestamp": "facts",
    "table_counts": "facts",
    "ImportFailed": "loader",
    "ImportResult": "loader",
    "TableBatch": "loader",
    "import_canonical": "loader",
    "load_batches": "loader",
    "write_tables": "loader",
}

if TYPE_CHECKING:
    from analytics.warehouse.connection import WarehouseError, connect_readonly, is_warehouse
    from analytics.warehouse.database import (
        DEFAULT_DB,
        load_tables,
        loads,
        quarantine,
        read_core_table,
        updating,
    )
    from analytics.warehouse.facts import latest_timestamp, table_counts
    from analytics.warehouse.loader import (
        ImportFailed,
        ImportResult,
        TableBatch,
        import_canonical,
        load_batches,
        write_tables,
    )


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEFAULT_DB",
    "ImportFailed",
    "ImportResult",
    "TableBatch",
    "WarehouseError",
    "connect_readonly",
    "import_canonical",
    "is_warehouse",
    "latest_timestamp",
    "load_batches",
    "load_tables",
    "loads",
    "quarantine",
    "read_core_table",
    "table_counts",
    "updating",
    "write_tables",
]
