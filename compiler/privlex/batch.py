"""Deciding whole tables (pyarrow, pandas, polars, Hugging Face datasets, Dask, Spark): the public face of
`privlex.data.batch`. See docs/datasets.md."""

from .data.batch import BatchResult, SchemaError, annotate, check_batch, permits_batch, table_of

__all__ = ["BatchResult", "SchemaError", "annotate", "check_batch", "permits_batch", "table_of"]
