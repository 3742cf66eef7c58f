"""The warehouse: the only part of the product that talks to DuckDB or reads files.

>>> from analytics.warehouse import connect_readonly, load_tables  # doctest: +SKIP
"""

from analytics.warehouse.database import (
    DEFAULT_DB,
    WarehouseError,
    connect_readonly,
    is_warehouse,
    latest_timestamp,
    load_tables,
    loads,
    quarantine,
    read_core_table,
    table_counts,
    updating,
)
from analytics.warehouse.loader import (
    ImportFailed,
    ImportResult,
    TableBatch,
    import_canonical,
    load_batches,
    write_tables,
)

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
